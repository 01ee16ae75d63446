using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Benchmarks.InProcess;

/// <summary>
/// The app's own composition (as in its Program.cs) on a fresh data folder, for in-process benchmarks: the same SQLite
/// connection settings, its migrations and WAL, a real master key file and data key ring, and a first user made by
/// first-run setup.
/// </summary>
public abstract class AppBenchmark
{
    private MasterKey _masterKey = null!;

    protected string DataPath { get; private set; } = "";

    protected ServiceProvider Services { get; private set; } = null!;

    protected CurrentUser Owner { get; private set; } = null!;

    protected async Task StartAppAsync()
    {
        DataPath = Path.Combine(Path.GetTempPath(), "ziggy-bench-app-" + Guid.NewGuid().ToString("N"));
        // Empty on purpose: no ZIGGY_* variable of the machine can point the benchmark at another database or master key.
        var configuration = new ConfigurationBuilder().Build();
        if (DataFolder.Prepare(DataPath) is { } folderError) throw new InvalidOperationException(folderError);
        var (database, databaseError) = DatabaseSettings.From(configuration);
        var (masterKey, keyError) = CryptoRegistration.LoadMasterKey(configuration, DataPath, NullLogger.Instance);
        _masterKey = masterKey ?? throw new InvalidOperationException(keyError);

        Services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(TimeProvider.System)
            .AddZiggyData(DataPath, database ?? throw new InvalidOperationException(databaseError))
            .AddZiggyCrypto(_masterKey)
            .AddZiggyAccounts()
            .AddZiggySecrets()
            .BuildServiceProvider();
        Services.MigrateZiggyDatabase();
        if (Services.OpenZiggyKeys() is { } openError) throw new InvalidOperationException(openError);

        await using var scope = Services.CreateAsyncScope();
        var setup = await scope.ServiceProvider.GetRequiredService<SetupService>()
            .CompleteAsync(new SetupInput("Bench", "bench@bench.test", "Bench Owner", "benchmark password"));
        var user = setup.Value ?? throw new InvalidOperationException("First-run setup failed.");
        Owner = new CurrentUser(user.Id, user.OrganizationId, user.Role, user.DisplayName);
    }

    /// <summary>A secret created through SecretService, so its ciphertext is the one the app writes.</summary>
    protected Task<SavedSecret> CreateSecretAsync(string name, SecretEnvironment environment, string value) =>
        CreateSecretAsync(name, "", new Dictionary<SecretEnvironment, string> { [environment] = value });

    /// <summary>A secret created through SecretService, as the editor's Create button sends it.</summary>
    protected async Task<SavedSecret> CreateSecretAsync(string name, string description, IReadOnlyDictionary<SecretEnvironment, string> values)
    {
        await using var scope = Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<SecretService>().CreateAsync(Owner, new SecretDraft(name, description, values));
        return created.Value ?? throw new InvalidOperationException($"Creating {name} failed.");
    }

    protected void StopApp()
    {
        Services.Dispose();
        _masterKey.Dispose();
        // Pooled connections keep the database file open.
        SqliteConnection.ClearAllPools();
        Directory.Delete(DataPath, recursive: true);
    }

    /// <summary>
    /// In this process (no separate build) and short: a class runs in about a minute. Ten warm-up iterations, because a
    /// few leave the measured ones running code the tiered JIT has not yet recompiled with full optimization.
    /// </summary>
    public sealed class ShortInProcessRun : ManualConfig
    {
        public ShortInProcessRun() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(10).WithIterationCount(15));
    }
}
