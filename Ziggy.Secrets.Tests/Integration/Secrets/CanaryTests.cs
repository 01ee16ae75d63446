using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>Values stored through the UI never come back out: not in a response, a header, a log line or the database file.</summary>
public sealed class CanaryTests : IDisposable
{
    private static readonly string[] Canaries =
    [
        "CANARY-dev-" + Guid.NewGuid().ToString("N"),
        "CANARY-stg-" + Guid.NewGuid().ToString("N") + "/+=&<\"'>",
        "CANARY-prd-" + Guid.NewGuid().ToString("N") + "-пароль-🔑",
    ];

    private readonly ZiggyAppFactory _app = new(settings: new() { ["Ziggy:Integrations:AllowPrivateNetworks"] = "true" });

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Canaries_StoredThroughTheUi_AppearNowhereAndOnlyRunsDecrypt()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        await _app.AddUserAsync(owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        using var olivia = await _app.SignInAsync("owner@acme.test");
        using var mia = await _app.SignInAsync("mia@acme.test");
        using var adam = await _app.SignInAsync("adam@acme.test");

        // Stored through both paths of the real form.
        await SecretsUi.CreateAsync(olivia, "STRIPE_API_KEY", "Canary holder", Canaries[0], Canaries[1], Canaries[2], htmx: true);
        await SecretsUi.CreateAsync(olivia, "OTHER_KEY", "", Canaries[1], null, Canaries[0], htmx: false);
        var id = await _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == "STRIPE_API_KEY").Select(s => s.Id).SingleAsync());

        // Every page, handler and error path, as owner, admin and non-owner member.
        foreach (var session in new[] { olivia, mia, adam })
        {
            await session.GetAsync("/Secrets");
            await session.GetAsync("/Secrets?handler=Rows");
            await session.GetAsync($"/Secrets?handler=Edit&id={id}");
            await session.GetAsync($"/Secrets?handler=Edit&id={id}", htmx: true);
            await session.GetAsync($"/Secrets?handler=Delete&id={id}", htmx: true);
            await session.GetAsync($"/Secrets?handler=Edit&id={Guid.NewGuid()}");
            await session.GetAsync("/Secrets?handler=New", htmx: true);
        }

        var staleEditor = await SecretsUi.EditPageAsync(olivia, id);
        await SecretsUi.SaveAsync(adam, id, new() { ["Input.Description"] = "bumped" });
        await olivia.SubmitAsync(staleEditor.Form("#secret-form"), new() { ["Input.Staging"] = Canaries[2] }, htmx: true);     // conflict
        await olivia.SubmitAsync(staleEditor.Form("#secret-form"), new() { ["Input.Staging"] = Canaries[2] }, htmx: false);    // conflict, no htmx
        await SecretsUi.SaveAsync(olivia, id, new() { ["Input.Name"] = "bad name", ["Input.Development"] = Canaries[0] });      // validation
        await SecretsUi.SaveAsync(olivia, id, new() { ["Input.RemoveStaging"] = "true", ["Input.Staging"] = Canaries[1] });     // both
        await SecretsUi.SaveAsync(olivia, id, new() { ["Input.Production"] = Canaries[2] + new string('x', 70_000) });         // too large
        await SecretsUi.SaveAsync(olivia, id, new() { ["Input.Name"] = "OTHER_KEY", ["Input.Staging"] = Canaries[1] });       // duplicate
        await mia.PostFormAsync($"/Secrets?handler=Save&id={id}", new() { ["Input.Development"] = Canaries[0], ["Input.Version"] = "1" }); // forged
        await SecretsUi.SaveAsync(olivia, id, new() { ["Input.Staging"] = Canaries[1] });                                      // success
        await SecretsUi.SaveAsync(olivia, id, new() { ["Input.Production"] = " " + Canaries[2] });                              // warned
        await SecretsUi.SaveAsync(olivia, id, new() { ["Input.Production"] = Canaries[0] });                                   // success

        // The value history of every environment, for every kind of member, and a restore (the old canary comes back
        // into use without travelling), a stale restore and a forged one.
        foreach (var session in new[] { olivia, mia, adam })
        {
            foreach (var environment in new[] { "Development", "Staging", "Production" })
            {
                await session.GetAsync($"/Secrets?handler=History&id={id}&environment={environment}", htmx: true);
                await session.GetAsync($"/Secrets?handler=History&id={id}&environment={environment}");
            }

            await session.GetAsync($"/Secrets?handler=AuditHistory&id={id}", htmx: true);
        }

        var productionHistory = await TestSession.ParseAsync(await olivia.GetAsync($"/Secrets?handler=History&id={id}&environment=Production", htmx: true));
        var restoreForm = (AngleSharp.Html.Dom.IHtmlFormElement)productionHistory.QuerySelector("[data-testid=restore-Production-1]")!.Closest("form")!;
        await olivia.SubmitAsync(restoreForm, htmx: true);                                                                       // restored
        await olivia.SubmitAsync(restoreForm, htmx: true);                                                                       // stale
        await mia.PostFormAsync($"/Secrets?handler=Restore&id={id}&environment=Production&number=1", new() { ["Input.Version"] = "1" }); // forged
        await olivia.GetAsync($"/Secrets?handler=Edit&id={id}", htmx: true);
        await SecretsUi.DeleteAsync(olivia, id, "nope");

        // The trash: a secret holding canaries moved there, listed, refused a restore (its name is taken again), restored
        // under a new name, and trashed again; every page as owner, admin and non-owner member.
        var otherId = await _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == "OTHER_KEY").Select(s => s.Id).SingleAsync());
        await SecretsUi.DeleteAsync(olivia, otherId, "delete");
        await SecretsUi.CreateAsync(olivia, "OTHER_KEY", "", Canaries[2], htmx: true);
        var trash = await olivia.GetPageAsync("/Secrets/Trash");
        await olivia.SubmitAsync(trash.Form("form.delete-form"), new() { ["confirm"] = "nope" });
        var refusedRestore = await olivia.SubmitAsync(trash.Form("form.restore-form"));
        await olivia.SubmitAsync((await TestSession.ParseAsync(refusedRestore)).Form("form.restore-form"), new() { ["newName"] = "OTHER_KEY_OLD" });
        await SecretsUi.DeleteAsync(olivia, otherId, "delete");
        foreach (var session in new[] { olivia, mia, adam }) await session.GetAsync("/Secrets/Trash");

        // The grid's bulk actions: both dialogs and a refused bulk delete for every kind of member, then a bulk transfer
        // to Mia and back.
        var miaId = await _app.WithDbAsync(db => db.Users.Where(u => u.Email == "mia@acme.test").Select(u => u.Id).SingleAsync());
        foreach (var session in new[] { olivia, mia, adam })
        {
            var bulkToken = (await session.GetPageAsync("/Secrets")).QuerySelector("#bulk-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
            foreach (var handler in new[] { "BulkDeleteDialog", "BulkTransferDialog", "BulkDelete" })
                await session.PostFormAsync($"/Secrets?handler={handler}", new() { ["ids"] = id.ToString(), ["confirm"] = "nope", ["__RequestVerificationToken"] = bulkToken }, htmx: true);
            if (session == adam)
            {
                foreach (var newOwner in new[] { miaId, owner.Id })
                    await session.PostFormAsync("/Secrets?handler=BulkTransfer", new() { ["ids"] = id.ToString(), ["newOwnerId"] = newOwner.ToString(), ["__RequestVerificationToken"] = bulkToken }, htmx: true);
            }
        }

        Assert.Equal(2, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.OwnershipTransferred && e.SecretId == id)));

        // Listing, opening and saving decrypted nothing.
        Assert.Equal(0, _app.Services.GetRequiredService<ISecretCipher>().DecryptCount);

        // Integration runs in every environment against a stub that echoes everything back.
        await using var stub = await StubServer.StartAsync();
        var editor = await olivia.GetPageAsync("/Integrations/Edit");
        var saved = await olivia.SubmitAsync(editor.Form("#integration-form"), new()
        {
            ["Input.Name"] = "Echo", ["Input.Method"] = "POST", ["Input.Url"] = stub.BaseUrl + "/echo?k={{secrets.STRIPE_API_KEY}}",
            ["Input.Headers"] = "Authorization: Bearer {{secrets.STRIPE_API_KEY}}", ["Input.Body"] = "{{secrets.STRIPE_API_KEY}}",
        });
        var integrationPage = await olivia.GetPageAsync(saved.Headers.Location!.ToString());
        foreach (var environment in new[] { "Development", "Staging", "Production" })
        {
            await olivia.SubmitAsync(integrationPage.Form("form.run-form"), new() { ["environment"] = environment }, htmx: true);
            await mia.SubmitAsync((await mia.GetPageAsync(saved.Headers.Location!.ToString())).Form("form.run-form"), new() { ["environment"] = environment });
        }

        await olivia.GetAsync(saved.Headers.Location!.ToString());
        await olivia.GetAsync("/Audit?handler=Rows");
        await olivia.GetAsync("/Integrations");
        Assert.Equal(6, stub.Received.Count);
        Assert.Contains(stub.Received, r => r.Body == Canaries[0]);

        // The scans can see what is there: names are stored and shown in plain text.
        Assert.Contains(_app.Responses, r => r.Contains("STRIPE_API_KEY"));
        Assert.True(SqliteFileAssert.Contains(_app.DatabasePath, "STRIPE_API_KEY"));
        Assert.NotEmpty(_app.LogLines);

        foreach (var canary in Canaries) _app.AssertNeverRevealed(canary);
        Assert.True(await _app.WithDbAsync(db => db.SecretValueVersions.CountAsync(v => v.SecretId == id)) >= 6);
        // Decrypts happened only in the six runs, one referenced value each.
        Assert.Equal(6, _app.Services.GetRequiredService<ISecretCipher>().DecryptCount);
    }

    [Fact]
    public async Task Canaries_Imported_AppearInNoPreviewAnswerLogAuditRowOrTheDatabaseFile()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var olivia = await _app.SignInAsync("owner@acme.test");
        using var mia = await _app.SignInAsync("mia@acme.test");
        var json = "{" + string.Join(", ", Canaries.Select((c, i) => $"\"IMPORTED_{i}\": {System.Text.Json.JsonSerializer.Serialize(c)}")) + "}";
        var dotenv = $"# canaries\nexport DOTENV_KEY={Canaries[0]}\nbad-name={Canaries[2]}\nDOTENV_KEY={Canaries[0]}-again\nnot a line {Canaries[1]}\n";

        foreach (var htmx in new[] { true, false })
        {
            await ImportAsync(olivia, "Preview", json, htmx);
            await ImportAsync(olivia, "Preview", dotenv, htmx);
            await ImportAsync(olivia, "Preview", Canaries[1] + new string('x', 1_100_000), htmx);               // over the size limit
            await ImportAsync(olivia, "Apply", dotenv, htmx, token: "forged-" + Canaries[0], selected: ["DOTENV_KEY"]); // forged preview
        }

        var preview = await ImportAsync(olivia, "Preview", json, htmx: true);
        var token = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(preview).QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name='Input.Token']")!.Value;
        await ImportAsync(mia, "Apply", json, htmx: true, token, ["IMPORTED_0"]);                                     // another user's preview
        Assert.Contains("3 created", await ImportAsync(olivia, "Apply", json, htmx: true, token, ["IMPORTED_0", "IMPORTED_1", "IMPORTED_2"]));
        await ImportAsync(olivia, "Apply", json, htmx: true, token, ["IMPORTED_0"]);                                  // replayed
        var again = await ImportAsync(mia, "Preview", json, htmx: true);                                              // not allowed for a Member
        Assert.Contains("Not allowed", again);
        await olivia.GetAsync("/Secrets?handler=Rows");
        await olivia.GetAsync("/Audit?handler=Rows");

        Assert.Equal(3, await _app.WithDbAsync(db => db.Secrets.CountAsync(s => s.Name.StartsWith("IMPORTED_"))));
        Assert.Contains(_app.Responses, r => r.Contains("IMPORTED_1"));
        foreach (var canary in Canaries) _app.AssertNeverRevealed(canary);
        Assert.DoesNotContain(await _app.WithDbAsync(db => db.AuditEvents.Select(e => e.Details).ToListAsync()), d => Canaries.Any(c => d.Contains(c)));
    }

    private static async Task<string> ImportAsync(TestSession session, string handler, string text, bool htmx, string? token = null, string[]? selected = null)
    {
        var antiforgery = (await session.GetPageAsync("/Secrets/Import")).QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        List<KeyValuePair<string, string>> fields =
        [
            new("__RequestVerificationToken", antiforgery), new("Input.Text", text), new("Input.Environment", "Production"), new("Input.Format", "Auto"),
            new("Input.Token", token ?? ""), .. (selected ?? []).Select(n => new KeyValuePair<string, string>("Input.Selected", n)),
        ];
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/Secrets/Import?handler={handler}") { Content = new FormUrlEncodedContent(fields) };
        if (htmx) request.Headers.Add("HX-Request", "true");
        using var response = await session.Client.SendAsync(request);
        Assert.True((int)response.StatusCode < 500, $"{handler}: {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public void Fingerprint_OfACanary_IsKeyedAndMatchesNoEncodingOfIt()
    {
        var cipher = _app.Services.GetRequiredService<ISecretCipher>();
        foreach (var canary in Canaries)
        {
            var fingerprint = cipher.Fingerprint(canary);
            var shown = new[]
            {
                Convert.ToHexStringLower(fingerprint), Convert.ToHexString(fingerprint), Convert.ToBase64String(fingerprint),
                Web.Secrets.ValueFingerprint.Short(fingerprint)!,
            };
            // Keyed: not the plain hash anyone could compute from a guess.
            Assert.NotEqual(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canary)), fingerprint);
            Assert.Equal(fingerprint, cipher.Fingerprint(canary));
            foreach (var (form, encode) in SecretEncodings.Fixed)
            {
                var encoded = encode(canary);
                Assert.All(shown, text => Assert.DoesNotContain(encoded, text, StringComparison.OrdinalIgnoreCase));
                if (encoded != canary) Assert.False(fingerprint.AsSpan().SequenceEqual(cipher.Fingerprint(encoded)), $"{form}: an encoding has the canary's fingerprint");
            }
        }
    }

    [Fact]
    public async Task StoredCiphertext_CopiedToAnotherPlace_FailsWithAMessageNamingSecretAndEnvironment()
    {
        var owner = await _app.SetUpAsync();
        using var olivia = await _app.SignInAsync("owner@acme.test");
        await SecretsUi.CreateAsync(olivia, "SOURCE_KEY", "", development: Canaries[0]);
        await SecretsUi.CreateAsync(olivia, "TARGET_KEY", "", production: "target-production-value");
        var (source, target) = await _app.WithDbAsync(async db => (
            await db.Secrets.Include(s => s.Values).SingleAsync(s => s.Name == "SOURCE_KEY"),
            await db.Secrets.Include(s => s.Values).SingleAsync(s => s.Name == "TARGET_KEY")));
        var cipher = _app.Services.GetRequiredService<ISecretCipher>();
        var stolen = source.ValueFor(SecretEnvironment.Development)!.ToEncrypted();

        // The real value decrypts in its own place (the control)...
        var own = cipher.Decrypt(stolen, new ValuePlace(owner.OrganizationId, source.Id, source.Name, SecretEnvironment.Development));
        Assert.Equal(Canaries[0], own.Plaintext);

        // ...and nowhere else.
        var moved = cipher.Decrypt(stolen, new ValuePlace(owner.OrganizationId, target.Id, target.Name, SecretEnvironment.Production));
        Assert.False(moved.Succeeded);
        Assert.Null(moved.Plaintext);
        Assert.Equal("The stored Production value of secret TARGET_KEY cannot be decrypted: it was altered or moved from another secret, environment or organization.", moved.Error);
    }
}

/// <summary>Starting the real app process against keys that do not fit.</summary>
public sealed class MasterKeyStartupTests
{
    [Fact]
    public void Start_WrongMasterKey_FailsFastWithOneClearMessage()
    {
        var dataFolder = Path.Combine(Path.GetTempPath(), "ziggy-tests", Guid.NewGuid().ToString("N"));
        try
        {
            // First run: creates master.key (0600) and the first data key.
            AppProcess.Run(dataFolder, waitForStart: true);
            var keyFile = Path.Combine(dataFolder, "master.key");
            Assert.True(File.Exists(keyFile));
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

            var wrongKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            var (exitCode, error) = AppProcess.Run(dataFolder, new() { ["ZIGGY_MASTER_KEY"] = wrongKey });

            Assert.NotEqual(0, exitCode);
            Assert.Contains("the master key does not match this database", error, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Now listening", error);
            Assert.DoesNotContain("   at ", error);
            Assert.DoesNotContain(wrongKey, error);
        }
        finally
        {
            Directory.Delete(dataFolder, recursive: true);
        }
    }

    [Fact]
    public void Start_KeyFileLostButDatabaseHasData_RefusesInsteadOfMakingANewKey()
    {
        var dataFolder = Path.Combine(Path.GetTempPath(), "ziggy-tests", Guid.NewGuid().ToString("N"));
        try
        {
            AppProcess.Run(dataFolder, waitForStart: true);
            File.Delete(Path.Combine(dataFolder, "master.key"));

            var (exitCode, error) = AppProcess.Run(dataFolder);

            Assert.NotEqual(0, exitCode);
            Assert.Contains("is missing, but this database holds encrypted data", error);
            Assert.False(File.Exists(Path.Combine(dataFolder, "master.key")));
        }
        finally
        {
            Directory.Delete(dataFolder, recursive: true);
        }
    }
}
