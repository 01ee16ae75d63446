using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Imports;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Operations;

/// <summary>The operator's commands, run as the real program against a real data folder.</summary>
public sealed class OperationsCommandTests : IDisposable
{
    private readonly List<string> _folders = [];

    public void Dispose()
    {
        foreach (var folder in _folders.Where(Directory.Exists)) Directory.Delete(folder, recursive: true);
    }

    private string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ziggy-tests", Guid.NewGuid().ToString("N"));
        _folders.Add(folder);
        return folder;
    }

    /// <summary>A data folder with an organization and <paramref name="secrets"/> secrets of three values each, made by the app itself.</summary>
    private async Task<string> SeededFolderAsync(int secrets)
    {
        var folder = NewFolder();
        using var app = new ZiggyAppFactory(folder) { KeepDataOnDispose = true };
        var owner = await app.SetUpAsync();
        var actor = new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia Owner");
        for (var i = 0; i < secrets; i++)
        {
            var result = await app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.CreateAsync(actor, new SecretDraft($"SECRET_{i:D4}", "",
                new Dictionary<SecretEnvironment, string>
                {
                    [SecretEnvironment.Development] = $"dev-CANARY-{i:D4}-abcdef", [SecretEnvironment.Staging] = $"stg-CANARY-{i:D4}-abcdef",
                    [SecretEnvironment.Production] = $"prd-CANARY-{i:D4}-abcdef",
                })));
            Assert.True(result.IsOk);
        }

        return folder;
    }

    private static T Query<T>(string folder, string sql) => SqliteAdmin.Scalar<T>(Web.Data.DataFolder.DatabasePath(folder), sql);

    [Fact]
    public void Cli_UnknownVerbOrOption_OneLineErrorWithHintAndExitCode2()
    {
        var folder = NewFolder();
        var (unknown, unknownOutput) = AppProcess.Run(folder, args: "launch-rockets");
        var (badOption, badOptionOutput) = AppProcess.Run(folder, args: ["backup", "--into", "x"]);
        var (help, helpOutput) = AppProcess.Run(folder, args: "--help");

        Assert.Equal(2, unknown);
        Assert.Equal("ziggy-secrets: Unrecognized command or argument 'launch-rockets'. See 'ziggy-secrets --help'.", unknownOutput.Trim());
        Assert.Equal(2, badOption);
        Assert.Equal("ziggy-secrets: Unrecognized command or argument '--into'. See 'ziggy-secrets backup --help'.", badOptionOutput.Trim());
        Assert.Equal(0, help);
        foreach (var setting in new[] { "ZIGGY_DATA_DIR", "ZIGGY_URLS", "ZIGGY_MASTER_KEY", "ZIGGY_MASTER_KEY_FILE", "rotate-key", "backup", "restore", "verify", "reset-password", "ZIGGY_PUBLIC_URL", "run <command>", "get <NAME>" })
            Assert.Contains(setting, helpOutput);
        // Neither help nor a usage error needs (or makes) a data folder.
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Verify_HealthyDatabase_CountsPerOrganizationAndEnvironmentWithoutValues()
    {
        var folder = await SeededFolderAsync(3);

        var (exitCode, output) = AppProcess.Run(folder, args: "verify");

        Assert.Equal(0, exitCode);
        Assert.Contains("Database integrity: ok", output);
        Assert.Contains("Acme / Development: 3 value(s) decrypt", output);
        Assert.Contains("Acme / Production: 3 value(s) decrypt", output);
        Assert.Contains("Everything verified.", output);
        Assert.DoesNotContain("CANARY", output);
    }

    [Fact]
    public async Task Verify_TamperedValue_FailsNamingSecretAndEnvironment()
    {
        var folder = await SeededFolderAsync(2);
        Assert.Equal(1, SqliteAdmin.Execute(Web.Data.DataFolder.DatabasePath(folder),
            "UPDATE SecretValues SET Ciphertext = (SELECT Ciphertext FROM SecretValues ORDER BY SecretId, Environment LIMIT 1 OFFSET 1) " +
            "WHERE rowid = (SELECT rowid FROM SecretValues ORDER BY SecretId, Environment LIMIT 1)"));

        var (exitCode, output) = AppProcess.Run(folder, args: "verify");

        Assert.Equal(1, exitCode);
        Assert.Contains("cannot be decrypted: it was altered or moved", output);
        Assert.Contains("1 problem(s) found.", output);
        Assert.DoesNotContain("CANARY", output);
    }

    [Fact]
    public async Task RotateKey_ValuesWrittenBeforeDecryptAfterAndNoneUsesTheOldKey()
    {
        var folder = await SeededFolderAsync(5);

        var (exitCode, output) = AppProcess.Run(folder, args: "rotate-key");

        Assert.Equal(0, exitCode);
        Assert.Contains("Created data key 2.", output);
        Assert.Contains("[####################] 15/15 (100%) ETA 0:00:00", output);
        Assert.Equal(0L, Query<long>(folder, "SELECT COUNT(*) FROM SecretValues WHERE KeyId <> 2"));
        var (verify, verifyOutput) = AppProcess.Run(folder, args: "verify");
        Assert.Equal(0, verify);
        Assert.Contains("Acme / Staging: 5 value(s) decrypt", verifyOutput);
    }

    [Fact]
    public async Task RotateKeyAndVerify_SecretInTheTrash_ItsValuesAreReencryptedAndVerifiedToo()
    {
        var folder = await SeededFolderAsync(3);
        Assert.Equal(1, SqliteAdmin.Execute(Web.Data.DataFolder.DatabasePath(folder),
            "UPDATE Secrets SET DeletedAt = 1, DeletedById = CreatedById WHERE Name = 'SECRET_0000'"));

        var (exitCode, output) = AppProcess.Run(folder, args: "rotate-key");

        Assert.Equal(0, exitCode);
        Assert.Contains("9/9 (100%)", output);
        Assert.Equal(0L, Query<long>(folder, "SELECT COUNT(*) FROM SecretValues WHERE KeyId <> 2"));
        var (verify, verifyOutput) = AppProcess.Run(folder, args: "verify");
        Assert.Equal(0, verify);
        Assert.Contains("Acme / Development: 3 value(s) decrypt", verifyOutput);
    }

    [Fact]
    public async Task RotateKey_WhileTheServerWrites_ServerFollowsTheNewKeyAndNothingStaysOnTheOldOne()
    {
        var folder = await SeededFolderAsync(20);
        using var app = new ZiggyAppFactory(folder) { KeepDataOnDispose = true };
        var owner = await app.WithDbAsync(db => db.Users.SingleAsync());
        var actor = new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia Owner");
        using var stop = new CancellationTokenSource();
        var saves = 0;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var name = $"SECRET_{i % 20:D4}";
                var current = await app.WithDbAsync(db => db.Secrets.AsNoTracking().SingleAsync(s => s.Name == name));
                var result = await app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.UpdateAsync(actor, current.Id,
                    new SecretChanges(current.Version, name, $"save {i}", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Staging] = $"stg-new-{i}-abcdef" })));
                if (result.IsOk) Interlocked.Increment(ref saves);
            }
        });

        var (exitCode, output) = AppProcess.Run(folder, args: "rotate-key");
        await Task.Delay(500);
        await stop.CancelAsync();
        await writer;

        Assert.Equal(0, exitCode);
        Assert.True(saves > 0);
        Assert.Contains("Done: every value is under data key 2.", output);
        Assert.Equal(0L, Query<long>(folder, "SELECT COUNT(*) FROM SecretValues WHERE KeyId <> 2"));
        // The running server decrypts what the rotation wrote (it reloads its keys by itself).
        var stored = await app.WithDbAsync(db => db.Secrets.Include(s => s.Values).AsNoTracking().FirstAsync());
        var cipher = app.Services.GetRequiredService<ISecretCipher>();
        var value = stored.ValueFor(SecretEnvironment.Development)!;
        Assert.True(cipher.Decrypt(value.ToEncrypted(), new ValuePlace(stored.OrganizationId, stored.Id, stored.Name, SecretEnvironment.Development)).Succeeded);
        Assert.Equal(0, AppProcess.Run(folder, args: "verify").ExitCode);
    }

    [Fact]
    public async Task Save_ValueStillUnderTheOldKey_IsWrittenUnderTheActiveKey()
    {
        // The save keeps the key id column unwritten when the key stays the same; under another key it must write it.
        var folder = await SeededFolderAsync(1);
        Assert.Equal(0, AppProcess.Run(folder, args: "rotate-key").ExitCode);
        var database = Web.Data.DataFolder.DatabasePath(folder);
        Assert.Equal(1, SqliteAdmin.Execute(database, "UPDATE SecretValues SET KeyId = 1 WHERE Environment = 'Staging'"));
        using var app = new ZiggyAppFactory(folder) { KeepDataOnDispose = true };
        var owner = await app.WithDbAsync(db => db.Users.SingleAsync());
        var actor = new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia Owner");
        var secret = await app.WithDbAsync(db => db.Secrets.AsNoTracking().SingleAsync());

        var saved = await app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.UpdateAsync(actor, secret.Id,
            new SecretChanges(secret.Version, secret.Name, "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Staging] = "stg-after-rotation-abcdef" })));

        Assert.True(saved.IsOk);
        Assert.Equal(2L, Query<long>(folder, "SELECT KeyId FROM SecretValues WHERE Environment = 'Staging'"));
        var stored = await app.WithDbAsync(db => db.SecretValues.AsNoTracking().SingleAsync(v => v.Environment == SecretEnvironment.Staging));
        var decrypted = app.Services.GetRequiredService<ISecretCipher>().Decrypt(stored.ToEncrypted(),
            new ValuePlace(secret.OrganizationId, secret.Id, secret.Name, SecretEnvironment.Staging));
        Assert.Equal("stg-after-rotation-abcdef", decrypted.Plaintext);
    }

    [Fact]
    public async Task RotateKey_WhileTheServerRuns_ItsNextImportAndSaveEncryptUnderTheNewKey()
    {
        var folder = await SeededFolderAsync(1);
        using var app = new ZiggyAppFactory(folder) { KeepDataOnDispose = true };
        var owner = await app.WithDbAsync(db => db.Users.SingleAsync());
        var actor = new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia Owner");
        var secret = await app.WithDbAsync(db => db.Secrets.AsNoTracking().SingleAsync());
        // The server has encrypted under key 1 before each rotation runs in another process.
        Assert.True((await app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.UpdateAsync(actor, secret.Id,
            new SecretChanges(secret.Version, secret.Name, "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Staging] = "stg-before-rotation-abcdef" })))).IsOk);
        Assert.Equal(1L, Query<long>(folder, "SELECT KeyId FROM SecretValues WHERE Environment = 'Staging'"));

        Assert.Equal(0, AppProcess.Run(folder, args: "rotate-key").ExitCode);
        const string text = "IMPORTED_AFTER_ROTATION=imported-after-rotation-abcdef\n";
        var preview = await app.WithServiceAsync<ImportService, Web.Common.Result<ImportPreview>>(s => s.PreviewAsync(actor, text, ImportFormat.Dotenv, SecretEnvironment.Production));
        var imported = await app.WithServiceAsync<ImportService, Web.Common.Result<ImportOutcome>>(s => s.ApplyAsync(actor, text, ImportFormat.Dotenv,
            SecretEnvironment.Production, preview.Value!.Token, new ImportSelection(["IMPORTED_AFTER_ROTATION"], [])));
        var importedUnder = Query<long>(folder, "SELECT v.KeyId FROM SecretValues v JOIN Secrets s ON s.Id = v.SecretId WHERE s.Name = 'IMPORTED_AFTER_ROTATION'");

        Assert.Equal(0, AppProcess.Run(folder, args: "rotate-key").ExitCode);
        var current = await app.WithDbAsync(db => db.Secrets.AsNoTracking().SingleAsync(s => s.Id == secret.Id));
        var saved = await app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.UpdateAsync(actor, current.Id,
            new SecretChanges(current.Version, current.Name, "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Staging] = "stg-after-rotation-abcdef" })));

        Assert.True(imported.IsOk);
        Assert.Equal(["IMPORTED_AFTER_ROTATION"], imported.Value!.Created);
        Assert.True(saved.IsOk);
        Assert.Equal(2L, importedUnder);
        Assert.Equal(3L, Query<long>(folder, "SELECT KeyId FROM SecretValues WHERE Environment = 'Staging'"));
        Assert.Equal(0, AppProcess.Run(folder, args: "verify").ExitCode);
    }

    [Fact]
    public async Task RotateKey_KilledHalfWay_RunAgainFinishes()
    {
        var folder = await SeededFolderAsync(400); // 1,200 values: six batches
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, "rotate-key"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            Environment = { ["ZIGGY_DATA_DIR"] = folder, ["ZIGGY_MASTER_KEY"] = "" },
        };

        // Kill it right after its first batch is committed. On a busy machine the rest of the rotation can finish before
        // the kill lands; then the next attempt rotates to the next key and is killed again.
        long active = 0, left = 0;
        for (var attempt = 0; attempt < 5 && left == 0; attempt++)
        {
            using (var process = Process.Start(start)!)
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line && !line.StartsWith('[')) { }
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            active = Query<long>(folder, "SELECT MAX(Id) FROM DataKeys");
            left = Query<long>(folder, $"SELECT (SELECT COUNT(*) FROM SecretValues WHERE KeyId <> {active}) + " +
                $"(SELECT COUNT(*) FROM SecretValueVersions WHERE KeyId IS NOT NULL AND KeyId <> {active})");
        }

        var (exitCode, output) = AppProcess.Run(folder, args: "rotate-key");

        Assert.True(left > 0, "Every kill came after the rotation had already finished.");
        Assert.Equal(0, exitCode);
        Assert.Contains($"Resuming the rotation to data key {active}.", output);
        Assert.Equal(0L, Query<long>(folder, $"SELECT COUNT(*) FROM SecretValues WHERE KeyId <> {active}"));
        Assert.Equal(0, AppProcess.Run(folder, args: "verify").ExitCode);
    }

    [Fact]
    public async Task RotateKey_Master_RewrapsForTheNewKeyAndRefusesABadKeyFile()
    {
        var folder = await SeededFolderAsync(2);
        var bad = Path.Combine(folder, "bad.key");
        await File.WriteAllTextAsync(bad, "not base64 at all");

        var (refused, refusedOutput) = AppProcess.Run(folder, args: ["rotate-key", "--master", "--new-master-key-file", bad]);
        Assert.Equal(1, refused);
        Assert.Contains($"--new-master-key-file: The master key file '{bad}' must hold 32 bytes as base64 (one line).", refusedOutput);
        var (missing, missingOutput) = AppProcess.Run(folder, args: ["rotate-key", "--master", "--new-master-key-file", bad + ".nope"]);
        Assert.Equal(1, missing);
        Assert.Contains("does not exist", missingOutput);

        var newKeyFile = Path.Combine(NewFolder(), "new-master.key");
        Directory.CreateDirectory(Path.GetDirectoryName(newKeyFile)!);
        await File.WriteAllTextAsync(newKeyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var (rotated, rotatedOutput) = AppProcess.Run(folder, args: ["rotate-key", "--master", "--new-master-key-file", newKeyFile]);
        Assert.Equal(0, rotated);
        Assert.Contains("Re-wrapped 2 data key(s) under the new master key.", rotatedOutput);

        // The new master key opens the database and every value decrypts; the old one no longer does.
        var (verify, _) = AppProcess.Run(folder, new() { ["ZIGGY_MASTER_KEY_FILE"] = newKeyFile }, args: "verify");
        Assert.Equal(0, verify);
        var (old, oldOutput) = AppProcess.Run(folder, args: "verify");
        Assert.NotEqual(0, old);
        Assert.Contains("the master key does not match this database", oldOutput);
    }

    [Fact]
    public async Task BackupAndRestore_WhileWriting_RestoredCopyVerifiesAndHoldsEveryEarlierWrite()
    {
        var folder = NewFolder();
        var backup = Path.Combine(NewFolder(), "ziggy-backup.db");
        Directory.CreateDirectory(Path.GetDirectoryName(backup)!);
        List<string> committedBeforeBackup;
        using (var app = new ZiggyAppFactory(folder) { KeepDataOnDispose = true })
        {
            var owner = await app.SetUpAsync();
            var actor = new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia Owner");
            var committed = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using var stop = new CancellationTokenSource();
            var writer = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested && i < 5000; i++)
                {
                    var name = $"WRITE_{i:D5}";
                    var result = await app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.CreateAsync(actor,
                        new SecretDraft(name, "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = $"value-{i}-abcdefgh" })));
                    if (result.IsOk) committed.Enqueue(name);
                }
            });
            while (committed.Count < 30) await Task.Delay(20);

            committedBeforeBackup = [.. committed];
            var (exitCode, output) = AppProcess.Run(folder, args: ["backup", "--to", backup]);
            await stop.CancelAsync();
            await writer;

            Assert.Equal(0, exitCode);
            Assert.Contains("It does not contain the master key", output);
            if (!OperatingSystem.IsWindows()) Assert.Equal(Web.Data.DataFolder.FileMode, File.GetUnixFileMode(backup));
        }

        var restored = NewFolder();
        var (restoreExit, restoreOutput) = AppProcess.Run(restored, args: ["restore", "--from", backup]);
        Assert.Equal(0, restoreExit);
        Assert.Contains("Restored", restoreOutput);
        Assert.False(File.Exists(Path.Combine(restored, "master.key")), "The master key is never part of a backup.");
        if (!OperatingSystem.IsWindows()) Assert.Equal(Web.Data.DataFolder.FileMode, File.GetUnixFileMode(Web.Data.DataFolder.DatabasePath(restored)));

        var (verify, verifyOutput) = AppProcess.Run(restored, new() { ["ZIGGY_MASTER_KEY_FILE"] = Path.Combine(folder, "master.key") }, args: "verify");
        Assert.Equal(0, verify);
        Assert.Contains("Everything verified.", verifyOutput);
        foreach (var name in committedBeforeBackup)
            Assert.Equal(1L, Query<long>(restored, $"SELECT COUNT(*) FROM Secrets WHERE Name = '{name}'"));

        // A second restore into a folder that has a database is refused.
        var (again, againOutput) = AppProcess.Run(restored, args: ["restore", "--from", backup]);
        Assert.Equal(1, again);
        Assert.Contains("restore only into an empty data folder", againOutput);
    }

    [Fact]
    public async Task ResetPassword_PrintsAOneTimeLinkThatUnlocksTheAccount()
    {
        var folder = await SeededFolderAsync(0);
        var (exitCode, output) = AppProcess.Run(folder, new() { ["ZIGGY_PUBLIC_URL"] = "https://secrets.example.test/" },
            args: ["reset-password", "--email", "owner@acme.test"]);
        Assert.Equal(0, exitCode);
        Assert.Contains("valid for one hour", output);
        var link = output.Split('\n').Single(l => l.Contains("/Account/ResetPassword#")).Trim();
        Assert.StartsWith("https://secrets.example.test/Account/ResetPassword#", link);
        var token = link[(link.IndexOf('#') + 1)..];
        Assert.Equal(1, AppProcess.Run(folder, args: ["reset-password", "--email", "nobody@acme.test"]).ExitCode);

        using var app = new ZiggyAppFactory(folder) { KeepDataOnDispose = true };
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e =>
            e.Action == Web.Audit.AuditAction.PasswordResetCreated && e.ActorName == PasswordResetService.OperatorName)));
        await app.WithDbAsync(db => db.Users.ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.UtcNow.AddMinutes(5))));
        using var session = app.CreateSession();
        var fields = new Dictionary<string, string>
        {
            ["Input.Token"] = token, ["Input.Password"] = "a brand new password", ["Input.ConfirmPassword"] = "a brand new password",
        };
        var page = await session.GetPageAsync("/Account/ResetPassword");
        page.AssertEveryFieldLabelled();
        var done = await session.SubmitAndFollowAsync(page.Form("#reset-form"), fields);
        Assert.Contains("Your password was changed", done.Text());

        using var signedIn = await app.SignInAsync("owner@acme.test", "a brand new password");
        var reused = await session.SubmitAndFollowAsync((await session.GetPageAsync("/Account/ResetPassword")).Form("#reset-form"),
            new(fields) { ["Input.Password"] = "yet another password", ["Input.ConfirmPassword"] = "yet another password" });
        Assert.Contains(PasswordResetService.InvalidLinkMessage, reused.FormError());
    }
}
