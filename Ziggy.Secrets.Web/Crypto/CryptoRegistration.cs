using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Crypto;

/// <summary>
/// The cipher the app uses. It follows key rotation while serving: a ciphertext under a data key it has not seen makes it
/// reload the key ring, and every write transaction that encrypts asks first, on its own connection
/// (<see cref="UseActiveKeyAsync"/>), whether a newer data key became active, so a <c>rotate-key</c> run in another
/// process takes effect here at once, without a restart.
/// </summary>
public sealed class SecretCipherHost : ISecretCipher, IDisposable
{
    private static readonly PerModelQuery<Func<ZiggyDbContext, Task<int>>> ActiveKeyQuery = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext c) => c.DataKeys.Max(k => k.Id)));

    private readonly List<XChaChaSecretCipher> _retired = [];
    private readonly Lock _gate = new();
    private XChaChaSecretCipher? _cipher;
    private DataKeyRing? _ring;
    private Func<DataKeyRing?>? _reload;
    private long _retiredDecrypts;

    public bool IsOpen => _cipher is not null;

    private XChaChaSecretCipher Current => _cipher ?? throw new InvalidOperationException("The encryption keys are not open yet.");

    public long DecryptCount => Interlocked.Read(ref _retiredDecrypts) + Current.DecryptCount;

    public int ActiveKeyId => _ring?.ActiveKeyId ?? 0;

    internal void Open(DataKeyRing ring, Func<DataKeyRing?> reload)
    {
        _reload = reload;
        Swap(ring);
    }

    public async Task UseActiveKeyAsync(ZiggyDbContext db)
    {
        if (await ActiveKeyQuery.For(db)(db) != ActiveKeyId && _reload!() is { } ring) Swap(ring);
    }

    public EncryptedValue Encrypt(string plaintext, ValuePlace place) => Current.Encrypt(plaintext, place);

    public byte[] Fingerprint(string plaintext) => Current.Fingerprint(plaintext);

    public DecryptOutcome Decrypt(EncryptedValue value, ValuePlace place)
    {
        if (_ring is { } ring && !ring.Contains(value.KeyId) && _reload!() is { } reloaded) Swap(reloaded);
        return Current.Decrypt(value, place);
    }

    private void Swap(DataKeyRing ring)
    {
        lock (_gate)
        {
            if (_cipher is not null)
            {
                // Kept, not disposed: another request may be using it this very moment.
                _retired.Add(_cipher);
                Interlocked.Add(ref _retiredDecrypts, _cipher.DecryptCount);
            }

            _ring = ring;
            _cipher = new XChaChaSecretCipher(ring);
        }
    }

    public void Dispose()
    {
        _cipher?.Dispose();
        foreach (var cipher in _retired) cipher.Dispose();
    }
}

/// <summary>Log lines written before the host exists, replayed into its logger once it does.</summary>
public sealed class BootLog : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _lines = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Add((logLevel, formatter(state, exception)));

    public void ReplayTo(ILogger logger)
    {
        foreach (var (level, message) in _lines)
        {
#pragma warning disable CA2254 // the message was already formatted when it was first logged
            logger.Log(level, message);
#pragma warning restore CA2254
        }
    }
}

public static class CryptoRegistration
{
    public const string MasterKeyConfigurationKey = "Ziggy:MasterKey";
    public const string MasterKeyFileConfigurationKey = "Ziggy:MasterKeyFile";

    /// <summary>
    /// Finds the master key before anything else starts (the Data Protection keys are encrypted under it). Answers one
    /// line for the operator when it cannot: then the app stops before serving anything.
    /// </summary>
    public static (MasterKey? Key, string? Error) LoadMasterKey(IConfiguration configuration, string dataFolder, ILogger logger)
    {
        var base64 = configuration[MasterKeyConfigurationKey] ?? configuration[MasterKeyProvider.EnvironmentVariable];
        var keyFile = configuration[MasterKeyFileConfigurationKey] ?? configuration[MasterKeyProvider.FileEnvironmentVariable];
        var defaultFile = Path.Combine(dataFolder, MasterKeyProvider.DefaultFileName);
        if (string.IsNullOrWhiteSpace(base64) && string.IsNullOrWhiteSpace(keyFile) && !File.Exists(defaultFile)
            && DataFolder.HoldsEncryptedData(dataFolder, configuration))
        {
            // Making a fresh key here would only produce a confusing mismatch (and a useless key file).
            return (null, $"The master key file '{defaultFile}' is missing, but this database holds encrypted data: restore the master key " +
                          $"(or set {MasterKeyProvider.EnvironmentVariable} / {MasterKeyProvider.FileEnvironmentVariable}).");
        }

        var load = MasterKeyProvider.Load(base64, keyFile, dataFolder, logger);
        return load.Succeeded ? (load.Key, null) : (null, load.Error);
    }

    public static IServiceCollection AddZiggyCrypto(this IServiceCollection services, MasterKey masterKey)
    {
        services.AddSingleton(masterKey);
        services.AddSingleton(new DataProtectionKeyProtector(masterKey.DataProtectionKey));
        services.AddSingleton<SecretCipherHost>();
        services.AddSingleton<ISecretCipher>(sp => sp.GetRequiredService<SecretCipherHost>());
        return services;
    }

    /// <summary>Unwraps the data keys (making the first one on a new database) and opens the cipher.</summary>
    public static string? OpenZiggyKeys(this IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
        var master = services.GetRequiredService<MasterKey>();
        var stored = StoredKeys(db);
        if (stored.Count == 0)
        {
            var first = StoredDataKey.From(DataKeyRing.CreateWrapped(master, 1, services.GetRequiredService<TimeProvider>().GetUtcNow()));
            db.DataKeys.Add(first);
            db.SaveChanges();
            stored.Add(first);
        }

        var open = OpenRing(stored);
        if (!open.Succeeded) return $"Ziggy Secrets cannot start: {open.Error[..1].ToLowerInvariant()}{open.Error[1..]}";

        services.GetRequiredService<SecretCipherHost>().Open(open.Ring, () =>
        {
            using var reloadScope = services.CreateScope();
            return OpenRing(StoredKeys(reloadScope.ServiceProvider.GetRequiredService<ZiggyDbContext>())).Ring;
        });
        return null;

        static List<StoredDataKey> StoredKeys(ZiggyDbContext db) => db.DataKeys.AsNoTracking().OrderBy(k => k.Id).ToList();
        DataKeyRingOpen OpenRing(List<StoredDataKey> keys) => DataKeyRing.Open(master, keys.Select(k => k.ToWrapped()).ToList());
    }
}
