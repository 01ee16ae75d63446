using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Benchmarks.Ceilings;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Benchmarks.InProcess;

/// <summary>
/// What saving one value costs through the app's own service (load, authorize, concurrency check, encrypt, audit, one
/// transaction; the editor's view of the saved secret is a separate read, measured as the edit partial) beside its
/// floor: a raw one-row SQLite transaction on a file with the app's durability settings (WAL, SQLite's default
/// synchronous).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessRun))]
public class SaveBenchmarks : AppBenchmark
{
    private const string Name = "BENCH_SAVED";

    private SavedSecret _secret = null!;
    private RawSqliteTable _raw = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        await StartAppAsync();
        _secret = await CreateSecretAsync(Name, SecretEnvironment.Staging, NewValue());
        _raw = new RawSqliteTable(Path.Combine(DataPath, "raw.db"));
    }

    /// <summary>A save of a new Staging value, as the editor's Save button sends it, following the version it gets back.</summary>
    [Benchmark]
    public async Task<int> Save()
    {
        await using var scope = Services.CreateAsyncScope();
        var saved = await scope.ServiceProvider.GetRequiredService<SecretService>().UpdateAsync(Owner, _secret.Id,
            new SecretChanges(_secret.Version, Name, "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Staging] = NewValue() }));
        _secret = saved.Value ?? throw new InvalidOperationException(string.Join(" ", saved.Errors.Select(e => e.Message)));
        return _secret.Version;
    }

    [Benchmark(Baseline = true)]
    public int RawSqliteTransaction() => _raw.InsertOne();

    [GlobalCleanup]
    public void CleanUp()
    {
        _raw.Dispose();
        StopApp();
    }

    private static string NewValue() => "sk_stg_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
}
