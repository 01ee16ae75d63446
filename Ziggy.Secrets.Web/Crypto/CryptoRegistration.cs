using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Crypto;

/// <summary>Holds the cipher once the keys are open. Until then nothing may encrypt or decrypt.</summary>
public sealed class SecretCipherHost : IDisposable
{
    private XChaChaSecretCipher? _cipher;

    public ISecretCipher Cipher => _cipher ?? throw new InvalidOperationException("The encryption keys are not open yet.");

    internal void Open(DataKeyRing ring) => _cipher = new XChaChaSecretCipher(ring);

    public void Dispose() => _cipher?.Dispose();
}

public static class CryptoRegistration
{
    public const string MasterKeyConfigurationKey = "Ziggy:MasterKey";
    public const string MasterKeyFileConfigurationKey = "Ziggy:MasterKeyFile";

    public static IServiceCollection AddZiggyCrypto(this IServiceCollection services)
    {
        services.AddSingleton<SecretCipherHost>();
        services.AddSingleton(sp => sp.GetRequiredService<SecretCipherHost>().Cipher);
        return services;
    }

    /// <summary>
    /// Loads the master key, unwraps the data keys (making the first one on a new database) and opens the cipher.
    /// Returns one line for the operator when that fails, so the app stops before serving anything.
    /// </summary>
    public static string? OpenZiggyKeys(this IServiceProvider services, IConfiguration configuration, string dataFolder)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Ziggy.Secrets.Crypto");
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
        var stored = db.DataKeys.AsNoTracking().OrderBy(k => k.Id).ToList();

        var base64 = configuration[MasterKeyConfigurationKey] ?? configuration[MasterKeyProvider.EnvironmentVariable];
        var keyFile = configuration[MasterKeyFileConfigurationKey] ?? configuration[MasterKeyProvider.FileEnvironmentVariable];
        var defaultFile = Path.Combine(dataFolder, MasterKeyProvider.DefaultFileName);
        if (string.IsNullOrWhiteSpace(base64) && string.IsNullOrWhiteSpace(keyFile) && stored.Count > 0 && !File.Exists(defaultFile))
        {
            // Making a fresh key here would only produce a confusing mismatch (and a useless key file).
            return $"The master key file '{defaultFile}' is missing, but this database holds encrypted data: restore the master key " +
                   $"(or set {MasterKeyProvider.EnvironmentVariable} / {MasterKeyProvider.FileEnvironmentVariable}).";
        }

        var load = MasterKeyProvider.Load(base64, keyFile, dataFolder, logger);
        if (!load.Succeeded) return load.Error;
        using var master = load.Key;

        if (stored.Count == 0)
        {
            var first = StoredDataKey.From(DataKeyRing.CreateWrapped(master, 1, services.GetRequiredService<TimeProvider>().GetUtcNow()));
            db.DataKeys.Add(first);
            db.SaveChanges();
            stored.Add(first);
        }

        var open = DataKeyRing.Open(master, stored.Select(k => k.ToWrapped()).ToList());
        if (!open.Succeeded) return $"Ziggy Secrets cannot start: {open.Error[..1].ToLowerInvariant()}{open.Error[1..]}";

        services.GetRequiredService<SecretCipherHost>().Open(open.Ring);
        return null;
    }
}
