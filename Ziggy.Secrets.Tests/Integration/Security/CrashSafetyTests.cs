using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Security;

/// <summary>
/// Crash safety: the real app, as its own process, is killed with SIGKILL in the middle of a burst of saves through
/// the real editor form, then restarted on the same data folder and master key. The database must be intact, every
/// secret whole (its description, its three values and its version all from one save, never a mix) and every save
/// the app acknowledged before it died still there.
/// </summary>
public sealed partial class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private const int SecretCount = 20;
    private const int Writers = 4;
    private const string Email = "crash@acme.test";
    private const string Password = "crash safety password";

    private static readonly (SecretEnvironment Environment, string Short)[] Environments =
        [(SecretEnvironment.Development, "dev"), (SecretEnvironment.Staging, "stg"), (SecretEnvironment.Production, "prod")];

    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "ziggy-crash", Guid.NewGuid().ToString("N"));
    private readonly byte[] _masterKey = RandomNumberGenerator.GetBytes(MasterKey.Size);
    private readonly List<AppUnderTest> _started = [];

    public void Dispose()
    {
        foreach (var app in _started) app.Dispose();
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open only leaves a temp folder behind.
        }
    }

    /// <summary>
    /// Generation N of a secret's value in one environment. Long enough (>= 32 characters) that its mask begins with the
    /// whole "v000042-" prefix, so the stored mask alone tells which generation wrote the value.
    /// </summary>
    private static string ValueFor(int generation, string environment, string name) =>
        $"v{generation:D6}-{environment}-{name}-crash-safety-padding";

    private static string DescriptionFor(int generation) => $"gen-{generation}";

    private static string NameFor(int index) => $"CRASH_SECRET_{index:D2}";

    [GeneratedRegex(@"^v(\d{6})-\*\*\*")]
    private static partial Regex MaskGeneration();

    [Fact]
    public async Task SigKill_DuringBurstOfSaves_RestartFindsIntactDatabaseWholeSecretsAndEveryAcknowledgedSave()
    {
        // First life: set up, create the secrets through the real form, then save them over and over until killed.
        var first = Start();
        using var session = first.NewSession();
        await SetUpAsync(session);
        var ids = await CreateSecretsAsync(session);

        var attempted = new int[SecretCount];
        var acknowledged = new int[SecretCount];
        var refusals = new ConcurrentQueue<string>();
        var killed = 0;
        var acks = 0;
        var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            // Each writer owns its own secrets, so a refusal can only mean something went wrong, never a race between writers.
            var owned = Enumerable.Range(0, SecretCount).Where(i => i % Writers == writer).ToArray();
            for (var round = 0; round < 100_000 && Volatile.Read(ref killed) == 0; round++)
            {
                foreach (var index in owned)
                {
                    var generation = attempted[index] + 1;
                    Volatile.Write(ref attempted[index], generation);
                    try
                    {
                        var response = await SaveGenerationAsync(session, ids[NameFor(index)], NameFor(index), generation);
                        if (IsSaved(response))
                        {
                            Volatile.Write(ref acknowledged[index], generation);
                            Interlocked.Increment(ref acks);
                        }
                        else
                        {
                            refusals.Enqueue($"{NameFor(index)} gen {generation}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        }
                    }
                    catch (Exception) when (Volatile.Read(ref killed) == 1)
                    {
                        return; // the server died under this request: whatever it did is what the restart must cope with
                    }
                }
            }
        })).ToList();

        // Let the burst run for a while (and make sure it really saved things), then kill the server mid-burst.
        var burst = Stopwatch.StartNew();
        while (burst.Elapsed < TimeSpan.FromSeconds(1.5) || (Volatile.Read(ref acks) < SecretCount && burst.Elapsed < TimeSpan.FromSeconds(60)))
        {
            if (writers.FirstOrDefault(w => w.IsFaulted) is { } faulted) await faulted; // surfaces the failure
            await Task.Delay(50);
        }

        Assert.True(Volatile.Read(ref acks) >= SecretCount, $"The burst saved only {acks} times in {burst.Elapsed}:\n{first.Output}");
        Volatile.Write(ref killed, 1);
        first.Kill();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60)); // a writer that failed before the kill fails the test here
        Assert.True(refusals.IsEmpty, "Saves were refused before the kill:\n" + string.Join("\n", refusals));
        var acknowledgedAtKill = acknowledged.ToArray();
        var attemptedAtKill = attempted.ToArray();
        Assert.True(acknowledgedAtKill.Any(a => a > 1), "The burst never saved any secret twice.");
        var wal = new FileInfo(DataFolder.DatabasePath(_dataFolder) + "-wal");
        output.WriteLine($"Killed after {burst.Elapsed.TotalSeconds:F1} s: {acks} saves acknowledged, {attemptedAtKill.Sum()} sent; " +
                         $"WAL left behind: {(wal.Exists ? wal.Length : 0):N0} bytes.");

        // Second life: the same folder and master key.
        var second = Start();

        // (a) The database file is intact.
        var databasePath = DataFolder.DatabasePath(_dataFolder);
        await using (var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check;";
            var integrity = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync()) integrity.Add(reader.GetString(0));
            }

            Assert.Equal(new[] { "ok" }, integrity);
            command.CommandText = "PRAGMA foreign_key_check;";
            await using (var reader = await command.ExecuteReaderAsync())
            {
                Assert.False(await reader.ReadAsync(), "The database has rows whose foreign keys point nowhere.");
            }
        }

        // (b) Every secret whole and (c) every acknowledged save present.
        var stored = await ReadSecretsAsync(databasePath);
        Assert.Equal(Enumerable.Range(0, SecretCount).Select(NameFor).Order(), stored.Select(s => s.Name).Order());
        using var cipher = OpenCipher(databasePath);
        foreach (var secret in stored)
        {
            var index = int.Parse(secret.Name[^2..]);
            var generation = int.Parse(secret.Description.Replace("gen-", ""));
            var where = $"{secret.Name} (description {secret.Description}, version {secret.Version}, acknowledged {acknowledgedAtKill[index]}, attempted {attemptedAtKill[index]})";

            Assert.Equal(DescriptionFor(generation), secret.Description);
            Assert.True(generation + 1 == secret.Version, $"{where}: the version does not belong to the description's save.");
            Assert.True(secret.Values.Count == 3, $"{where}: {secret.Values.Count} values instead of 3.");
            foreach (var (environment, shortName) in Environments)
            {
                var value = secret.Values.SingleOrDefault(v => v.Environment == environment.ToString());
                if (value is null) Assert.Fail($"{where}: no {environment} value.");
                var expected = ValueFor(generation, shortName, secret.Name);
                var maskGeneration = MaskGeneration().Match(value.Mask);
                Assert.True(maskGeneration.Success && int.Parse(maskGeneration.Groups[1].Value) == generation,
                    $"{where}: the {environment} mask {value.Mask} is from another save (a mix of versions).");
                Assert.Equal(SecretMask.For(expected), value.Mask);

                var decrypted = cipher.Decrypt(new EncryptedValue(value.KeyId, value.Nonce, value.Ciphertext),
                    new ValuePlace(secret.OrganizationId, secret.Id, secret.Name, environment));
                Assert.True(decrypted.Succeeded, $"{where}: {decrypted.Error}");
                Assert.Equal(expected, decrypted.Plaintext);
            }

            Assert.True(generation >= acknowledgedAtKill[index], $"{where}: an acknowledged save was lost.");
            Assert.True(generation <= attemptedAtKill[index], $"{where}: a generation that was never sent.");
        }

        var unacknowledged = stored.Count(s => int.Parse(s.Description.Replace("gen-", "")) > acknowledgedAtKill[int.Parse(s.Name[^2..])]);
        output.WriteLine($"After the restart: {unacknowledged} secrets hold a save that committed but was never acknowledged; " +
                         $"{stored.Count(s => int.Parse(s.Description.Replace("gen-", "")) < attemptedAtKill[int.Parse(s.Name[^2..])])} lost an in-flight save.");

        // (d) The restarted app serves every secret to a fresh sign-in.
        using var again = second.NewSession();
        var signIn = await again.GetPageAsync("/Account/SignIn");
        var signedIn = await again.SubmitAsync(signIn.Form(), new() { ["Input.Email"] = Email, ["Input.Password"] = Password });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var rows = await RowsAsync(again);
        Assert.Equal(stored.Select(s => (s.Id, s.Name, s.Description)).OrderBy(r => r.Name),
            rows.Select(r => (r.Id, r.Name, r.Description)).OrderBy(r => r.Name));
        Assert.All(rows, r => Assert.True(r.Dev && r.Staging && r.Prod, $"{r.Name} lost a value in the grid."));
    }

    private static async Task SetUpAsync(TestSession session)
    {
        var setup = await session.GetPageAsync("/Setup");
        var response = await session.SubmitAsync(setup.Form(), new()
        {
            ["Input.OrganizationName"] = "Crash Corp",
            ["Input.DisplayName"] = "Casey Crash",
            ["Input.Email"] = Email,
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private static async Task<Dictionary<string, Guid>> CreateSecretsAsync(TestSession session)
    {
        for (var index = 0; index < SecretCount; index++)
        {
            var name = NameFor(index);
            var response = await SecretsUi.CreateAsync(session, name, DescriptionFor(0),
                ValueFor(0, "dev", name), ValueFor(0, "stg", name), ValueFor(0, "prod", name), htmx: true);
            Assert.True(IsSaved(response), $"Creating {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var rows = await RowsAsync(session);
        Assert.Equal(SecretCount, rows.Count);
        return rows.ToDictionary(r => r.Name, r => r.Id);
    }

    /// <summary>Opens the editor and saves the description and all three values of one generation, as htmx would.</summary>
    private static Task<HttpResponseMessage> SaveGenerationAsync(TestSession session, Guid id, string name, int generation) =>
        SecretsUi.SaveAsync(session, id, new()
        {
            ["Input.Description"] = DescriptionFor(generation),
            ["Input.Development"] = ValueFor(generation, "dev", name),
            ["Input.Staging"] = ValueFor(generation, "stg", name),
            ["Input.Production"] = ValueFor(generation, "prod", name),
        });

    /// <summary>A save the app acknowledged: htmx gets 200 with the "secret-saved" event; a refusal has no such event.</summary>
    private static bool IsSaved(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.OK &&
        response.Headers.TryGetValues("HX-Trigger", out var triggers) && triggers.Any(t => t.Contains("secret-saved"));

    private static async Task<List<SecretRow>> RowsAsync(TestSession session)
    {
        var response = await session.GetAsync("/Secrets?handler=Rows");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonSerializer.Deserialize<List<SecretRow>>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
    }

    private sealed record StoredValue(string Environment, int KeyId, byte[] Nonce, byte[] Ciphertext, string Mask);

    private sealed record StoredSecret(Guid Id, Guid OrganizationId, string Name, string Description, int Version, List<StoredValue> Values);

    /// <summary>Reads secrets and values straight from the SQLite file, not through the app.</summary>
    private static async Task<List<StoredSecret>> ReadSecretsAsync(string databasePath)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Id, OrganizationId, Name, Description, Version FROM Secrets;";
        var secrets = new List<StoredSecret>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                secrets.Add(new StoredSecret(Guid.Parse(reader.GetString(0)), Guid.Parse(reader.GetString(1)), reader.GetString(2),
                    reader.GetString(3), reader.GetInt32(4), []));
        }

        command.CommandText = "SELECT SecretId, Environment, KeyId, Nonce, Ciphertext, Mask FROM SecretValues;";
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var secretId = Guid.Parse(reader.GetString(0));
                var owner = secrets.SingleOrDefault(s => s.Id == secretId);
                if (owner is null) Assert.Fail($"A value belongs to secret {secretId}, which does not exist.");
                owner.Values.Add(new StoredValue(reader.GetString(1), reader.GetInt32(2), (byte[])reader[3], (byte[])reader[4], reader.GetString(5)));
            }
        }

        return secrets;
    }

    /// <summary>The app's own crypto, opened from the data keys in the file with the master key the app was given.</summary>
    private XChaChaSecretCipher OpenCipher(string databasePath)
    {
        var wrapped = new List<WrappedDataKey>();
        using (var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT Id, Nonce, WrappedKey FROM DataKeys ORDER BY Id;";
            using var reader = command.ExecuteReader();
            while (reader.Read()) wrapped.Add(new WrappedDataKey(reader.GetInt32(0), (byte[])reader[1], (byte[])reader[2], DateTimeOffset.MinValue));
        }

        using var master = MasterKey.FromBytes(_masterKey);
        var open = DataKeyRing.Open(master, wrapped);
        if (!open.Succeeded) Assert.Fail(open.Error);
        return new XChaChaSecretCipher(open.Ring);
    }

    private AppUnderTest Start()
    {
        var app = AppUnderTest.Start(_dataFolder, Convert.ToBase64String(_masterKey));
        _started.Add(app);
        return app;
    }

    /// <summary>The built app as its own process on a free loopback port, stopped only by SIGKILL.</summary>
    private sealed class AppUnderTest : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();

        private AppUnderTest(Process process, string baseUrl)
        {
            _process = process;
            BaseUrl = baseUrl;
        }

        public string BaseUrl { get; }

        /// <summary>The last lines the app printed, for failure messages.</summary>
        public string Output => string.Join("\n", _output.TakeLast(60));

        public static AppUnderTest Start(string dataFolder, string masterKey)
        {
            var port = Ports.Free();
            var assembly = typeof(Program).Assembly.Location;
            var start = new ProcessStartInfo("dotnet", [assembly])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = Path.GetDirectoryName(assembly)!,
                Environment =
                {
                    ["ZIGGY_DATA_DIR"] = dataFolder,
                    ["ZIGGY_MASTER_KEY"] = masterKey,
                    ["ZIGGY_MASTER_KEY_FILE"] = "",
                    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                    ["ASPNETCORE_ENVIRONMENT"] = "Development",
                },
            };
            var process = Process.Start(start)!;
            var app = new AppUnderTest(process, $"http://127.0.0.1:{port}");
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                app._output.Enqueue(e.Data);
                if (e.Data.Contains("Now listening on")) listening.TrySetResult();
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) app._output.Enqueue(e.Data);
            };
            process.Exited += (_, _) => listening.TrySetResult();
            process.EnableRaisingEvents = true;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var started = listening.Task.Wait(TimeSpan.FromSeconds(120));
            if (!started || process.HasExited)
            {
                app.Dispose();
                Assert.Fail($"The app did not start on port {port}:\n{app.Output}");
            }

            return app;
        }

        public TestSession NewSession() => new(new HttpClient(new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            UseCookies = true,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = Writers * 2,
        })
        {
            BaseAddress = new Uri(BaseUrl),
            Timeout = TimeSpan.FromSeconds(60),
        });

        /// <summary>SIGKILL on Linux: no shutdown hooks, no flush, no checkpoint.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(30)), "The killed app did not exit.");
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(30));
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
        }

    }
}
