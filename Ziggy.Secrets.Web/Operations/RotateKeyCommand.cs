using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Operations;

/// <summary>
/// Key rotation. A new data key becomes active, then every value and every history version still under an older key is
/// decrypted and re-encrypted under it, in small transactions, with progress and an ETA. Values stored before
/// fingerprints existed get theirs on the way (the fingerprint key does not depend on the master key, so a master-key
/// change leaves every fingerprint valid). Safe while the server runs: a value the
/// server rewrote meanwhile is left alone (its nonce changed), and the server picks up the new key by itself. Running it
/// again after an interruption finishes the job instead of starting another rotation. With --master the data keys are
/// then re-wrapped under a new master key.
/// </summary>
public static class RotateKeyCommand
{
    public const int BatchSize = 200;

    public static async Task<int> RunAsync(IServiceProvider services, ZiggyCommand command, string dataFolder, TextWriter output, TextWriter error)
    {
        MasterKey? newMaster = null;
        if (command.Flag("--master"))
        {
            var path = Path.GetFullPath(command.Option("--new-master-key-file")!);
            if (!File.Exists(path))
            {
                error.WriteLine($"--new-master-key-file: '{path}' does not exist.");
                return 1;
            }

            var load = MasterKeyProvider.Load(null, path, dataFolder, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            if (!load.Succeeded)
            {
                error.WriteLine($"--new-master-key-file: {load.Error}");
                return 1;
            }

            newMaster = load.Key;
        }

        using (newMaster)
        {
            var master = services.GetRequiredService<MasterKey>();
            var clock = services.GetRequiredService<TimeProvider>();
            using var scope = services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();

            var keys = await db.DataKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync();
            var active = keys[^1].Id;
            if (await db.SecretValues.AnyAsync(v => v.KeyId != active) || await db.SecretValueVersions.AnyAsync(v => v.KeyId != null && v.KeyId != active))
                output.WriteLine($"Resuming the rotation to data key {active}.");
            else
            {
                var created = StoredDataKey.From(DataKeyRing.CreateWrapped(master, active + 1, clock.GetUtcNow()));
                db.DataKeys.Add(created);
                await db.SaveChangesAsync();
                keys.Add(created);
                active = created.Id;
                output.WriteLine($"Created data key {active}.");
            }

            var open = DataKeyRing.Open(master, keys.Select(k => k.ToWrapped()).ToList());
            if (!open.Succeeded)
            {
                error.WriteLine(open.Error);
                return 1;
            }

            var failures = 0;
            using (var cipher = new XChaChaSecretCipher(open.Ring))
            {
                failures = await ReencryptAsync(db, cipher, active, output, error) + await ReencryptHistoryAsync(db, cipher, active, output, error);
                // A save the server began before it saw the new key may commit just after the first pass: sweep once more.
                await Task.Delay(TimeSpan.FromSeconds(1));
                if (failures == 0) failures = await ReencryptAsync(db, cipher, active, output, error) + await ReencryptHistoryAsync(db, cipher, active, output, error);
            }

            if (newMaster is not null)
            {
                var stored = await db.DataKeys.OrderBy(k => k.Id).ToListAsync();
                var rewrapped = DataKeyRing.Rewrap(master, newMaster, stored.Select(k => k.ToWrapped()).ToList());
                if (rewrapped is null)
                {
                    error.WriteLine("The data keys could not be unwrapped with the current master key; nothing was re-wrapped.");
                    return 1;
                }

                // One statement batch in one transaction: all keys move to the new master key, or none do.
                foreach (var (row, key) in stored.Zip(rewrapped))
                {
                    row.Nonce = key.Nonce;
                    row.WrappedKey = key.WrappedKey;
                }

                await db.SaveChangesAsync();
                output.WriteLine($"Re-wrapped {rewrapped.Count} data key(s) under the new master key. From now on start Ziggy Secrets with " +
                                 $"ZIGGY_MASTER_KEY_FILE={Path.GetFullPath(command.Option("--new-master-key-file")!)} (the old master key no longer opens this database). " +
                                 "Everyone signs in again after that restart.");
            }

            output.WriteLine(failures == 0
                ? $"Done: every value is under data key {active}."
                : $"{failures} value(s) could not be decrypted and were left as they are (run verify for details).");
            return failures == 0 ? 0 : 1;
        }
    }

    private static async Task<int> ReencryptAsync(ZiggyDbContext db, XChaChaSecretCipher cipher, int active, TextWriter output, TextWriter error)
    {
        var total = await db.SecretValues.CountAsync(v => v.KeyId != active || v.Fingerprint == null);
        var gainedFingerprints = new HashSet<Guid>();
        var done = 0;
        var failed = new HashSet<(Guid, SecretEnvironment)>();
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var batch = await db.SecretValues.AsNoTracking()
                .Where(v => v.KeyId != active || v.Fingerprint == null)
                .Join(db.Secrets.IgnoreQueryFilters(), v => v.SecretId, s => s.Id, (v, s) => new { Value = v, s.OrganizationId, s.Name })
                .OrderBy(x => x.Value.SecretId).ThenBy(x => x.Value.Environment)
                .Take(BatchSize + failed.Count)
                .ToListAsync();
            batch = batch.Where(x => !failed.Contains((x.Value.SecretId, x.Value.Environment))).Take(BatchSize).ToList();
            if (batch.Count == 0) break;

            await using var transaction = await db.Database.BeginTransactionAsync();
            foreach (var item in batch)
            {
                var place = new ValuePlace(item.OrganizationId, item.Value.SecretId, item.Name, item.Value.Environment);
                var plain = cipher.Decrypt(item.Value.ToEncrypted(), place);
                if (!plain.Succeeded)
                {
                    failed.Add((item.Value.SecretId, item.Value.Environment));
                    error.WriteLine(plain.Error);
                    continue;
                }

                var encrypted = cipher.Encrypt(plain.Plaintext, place);
                var fingerprint = cipher.Fingerprint(plain.Plaintext);
                // Only if the server has not rewritten the value meanwhile (a rewrite always has a new nonce).
                var updated = await db.SecretValues
                    .Where(v => v.SecretId == item.Value.SecretId && v.Environment == item.Value.Environment && v.Nonce == item.Value.Nonce)
                    .ExecuteUpdateAsync(v => v
                        .SetProperty(x => x.KeyId, encrypted.KeyId)
                        .SetProperty(x => x.Nonce, encrypted.Nonce)
                        .SetProperty(x => x.Ciphertext, encrypted.Ciphertext)
                        .SetProperty(x => x.Fingerprint, fingerprint));
                if (updated > 0 && item.Value.Fingerprint is null) gainedFingerprints.Add(item.Value.SecretId);
            }

            await transaction.CommitAsync();
            done += batch.Count;
            total = Math.Max(total, done);
            output.WriteLine(Progress(done, total, stopwatch.Elapsed));
        }

        await UpdateSharedProductionAsync(db, gainedFingerprints);
        return failed.Count;
    }

    /// <summary>The same for the history: each version under an older key (or without a fingerprint) is re-encrypted where it is.</summary>
    private static async Task<int> ReencryptHistoryAsync(ZiggyDbContext db, XChaChaSecretCipher cipher, int active, TextWriter output, TextWriter error)
    {
        var total = await db.SecretValueVersions.CountAsync(v => !v.Removed && (v.KeyId != active || v.Fingerprint == null));
        var done = 0;
        var failed = new HashSet<long>();
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var batch = await db.SecretValueVersions.AsNoTracking()
                .Where(v => !v.Removed && (v.KeyId != active || v.Fingerprint == null))
                .Join(db.Secrets.IgnoreQueryFilters(), v => v.SecretId, s => s.Id, (v, s) => new { Version = v, s.OrganizationId, s.Name })
                .OrderBy(x => x.Version.Id)
                .Take(BatchSize + failed.Count)
                .ToListAsync();
            batch = batch.Where(x => !failed.Contains(x.Version.Id)).Take(BatchSize).ToList();
            if (batch.Count == 0) break;

            await using var transaction = await db.Database.BeginTransactionAsync();
            foreach (var item in batch)
            {
                var place = new ValuePlace(item.OrganizationId, item.Version.SecretId, item.Name, item.Version.Environment);
                var plain = item.Version.ToEncrypted() is { } stored ? cipher.Decrypt(stored, place) : null;
                if (plain is not { Succeeded: true })
                {
                    failed.Add(item.Version.Id);
                    error.WriteLine($"Version {item.Version.Number}: {plain?.Error ?? "no ciphertext"}");
                    continue;
                }

                var encrypted = cipher.Encrypt(plain.Plaintext, place);
                var fingerprint = cipher.Fingerprint(plain.Plaintext);
                await db.SecretValueVersions
                    .Where(v => v.Id == item.Version.Id && v.Nonce == item.Version.Nonce)
                    .ExecuteUpdateAsync(v => v
                        .SetProperty(x => x.KeyId, encrypted.KeyId)
                        .SetProperty(x => x.Nonce, encrypted.Nonce)
                        .SetProperty(x => x.Ciphertext, encrypted.Ciphertext)
                        .SetProperty(x => x.Fingerprint, fingerprint));
            }

            await transaction.CommitAsync();
            done += batch.Count;
            total = Math.Max(total, done);
            output.WriteLine("History " + Progress(done, total, stopwatch.Elapsed));
        }

        return failed.Count;
    }

    /// <summary>Recomputes the grid's "Production equals another environment" flag of secrets whose values just got fingerprints.</summary>
    private static async Task UpdateSharedProductionAsync(ZiggyDbContext db, IReadOnlyCollection<Guid> secretIds)
    {
        foreach (var chunk in secretIds.Chunk(BatchSize))
        {
            var secrets = await db.Secrets.IgnoreQueryFilters().AsNoTracking().Include(s => s.Values).Where(s => chunk.Contains(s.Id)).ToListAsync();
            foreach (var secret in secrets)
            {
                secret.UpdateSharedProduction();
                // Only if the server has not saved the secret meanwhile (that save set the flag itself).
                await db.Secrets.IgnoreQueryFilters().Where(s => s.Id == secret.Id && s.Version == secret.Version)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.ProductionMatchesOther, secret.ProductionMatchesOther));
            }
        }
    }

    /// <summary>[##########----------] 1,200/2,400 (50%) ETA 0:00:03</summary>
    public static string Progress(int done, int total, TimeSpan elapsed)
    {
        var fraction = total == 0 ? 1 : (double)done / total;
        var filled = (int)Math.Round(fraction * 20);
        var eta = done == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - done));
        return $"[{new string('#', filled)}{new string('-', 20 - filled)}] {done:N0}/{total:N0} ({fraction * 100:0}%) ETA {eta:h\\:mm\\:ss}";
    }
}
