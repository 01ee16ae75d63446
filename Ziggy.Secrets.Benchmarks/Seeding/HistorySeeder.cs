using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Benchmarks.Seeding;

/// <summary>
/// Bulk seeding of an app's data folder while no app process runs, through the app's own composition (its DbContext,
/// migrations, master key and cipher), so every stored value is encrypted for real under its own associated data.
/// </summary>
public static class HistorySeeder
{
    /// <summary>The app's services on <paramref name="dataPath"/>, as its Program.cs composes them; dispose after use.</summary>
    public static (ServiceProvider Services, IDisposable MasterKey) Compose(string dataPath) => Compose(dataPath, new Dictionary<string, string?>());

    /// <summary>As <see cref="Compose(string)"/>, with these settings (a PostgreSQL database, a master key) and no others.</summary>
    public static (ServiceProvider Services, IDisposable MasterKey) Compose(string dataPath, IDictionary<string, string?> settings)
    {
        // Only the given settings: no ZIGGY_* variable of the machine can point the seeding at another database or master key.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        if (DataFolder.Prepare(dataPath) is { } folderError) throw new InvalidOperationException(folderError);
        var (database, databaseError) = DatabaseSettings.From(configuration);
        var (masterKey, keyError) = CryptoRegistration.LoadMasterKey(configuration, dataPath, NullLogger.Instance);
        if (masterKey is null) throw new InvalidOperationException(keyError);
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(TimeProvider.System)
            .AddZiggyData(dataPath, database ?? throw new InvalidOperationException(databaseError))
            .AddZiggyCrypto(masterKey)
            .AddZiggyAccounts()
            .AddZiggySecrets()
            .BuildServiceProvider();
        services.MigrateZiggyDatabase();
        if (services.OpenZiggyKeys() is { } openError) throw new InvalidOperationException(openError);
        return (services, masterKey);
    }

    /// <summary>
    /// Gives every stored value of every secret <paramref name="versions"/> versions: <paramref name="versions"/> - 1
    /// older values, one a day, then the current value as the newest (as <see cref="ValueHistory"/> numbers them), written
    /// in batches with progress printed. The versions a secret already has (its creation wrote one) are replaced.
    /// </summary>
    /// <param name="organizationId">Only this organization's secrets; every organization's when null.</param>
    public static async Task<long> SeedAsync(IServiceProvider services, int versions, TextWriter progress, Guid? organizationId = null)
    {
        if (versions < 2) return 0;
        var cipher = services.GetRequiredService<ISecretCipher>();
        List<Guid> ids;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
            ids = await db.Secrets.Where(s => organizationId == null || s.OrganizationId == organizationId).Select(s => s.Id).ToListAsync();
        }

        var written = 0L;
        var clock = Stopwatch.StartNew();
        const int SecretsPerBatch = 50;
        for (var start = 0; start < ids.Count; start += SecretsPerBatch)
        {
            var batch = ids.Skip(start).Take(SecretsPerBatch).ToList();
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
            var secrets = await db.Secrets.AsNoTracking().Include(s => s.Values).Where(s => batch.Contains(s.Id)).ToListAsync();
            foreach (var secret in secrets)
            {
                foreach (var current in secret.Values)
                {
                    var place = new ValuePlace(secret.OrganizationId, secret.Id, secret.Name, current.Environment);
                    for (var number = 1; number < versions; number++)
                    {
                        var old = $"old_{secret.Name}_{current.Environment}_{number:D3}_{Guid.NewGuid():N}";
                        var encrypted = cipher.Encrypt(old, place);
                        db.SecretValueVersions.Add(new SecretValueVersion
                        {
                            SecretId = secret.Id, Environment = current.Environment, Number = number,
                            WrittenAt = current.UpdatedAt.AddDays(number - versions), WrittenById = secret.UpdatedById,
                            KeyId = encrypted.KeyId, Nonce = encrypted.Nonce, Ciphertext = encrypted.Ciphertext,
                            Mask = SecretMask.For(old), Fingerprint = cipher.Fingerprint(old),
                        });
                    }

                    db.SecretValueVersions.Add(new SecretValueVersion
                    {
                        SecretId = secret.Id, Environment = current.Environment, Number = versions, WrittenAt = current.UpdatedAt,
                        WrittenById = secret.UpdatedById, KeyId = current.KeyId, Nonce = current.Nonce, Ciphertext = current.Ciphertext,
                        Mask = current.Mask, Fingerprint = current.Fingerprint,
                    });
                    written += versions;
                }
            }

            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                await db.SecretValueVersions.Where(v => batch.Contains(v.SecretId)).ExecuteDeleteAsync();
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            }
            var done = Math.Min(start + SecretsPerBatch, ids.Count);
            if (done % 1000 < SecretsPerBatch || done == ids.Count)
                progress.WriteLine($"  history: {done:N0} of {ids.Count:N0} secrets, {written:N0} versions, {clock.Elapsed.TotalSeconds:N0} s");
        }

        SqliteConnection.ClearAllPools();
        return written;
    }
}
