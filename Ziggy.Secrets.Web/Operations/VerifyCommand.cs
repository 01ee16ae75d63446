using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Operations;

/// <summary>Checks the database and that every stored value decrypts under the current keys. Never prints a value.</summary>
public static class VerifyCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, TextWriter error)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
        var cipher = scope.ServiceProvider.GetRequiredService<ISecretCipher>();
        var failures = 0;

        var integrity = db.Database.IsSqlite()
            ? await db.Database.SqlQueryRaw<string>("PRAGMA integrity_check").ToListAsync()
            : [await db.Database.CanConnectAsync() ? "ok" : "PostgreSQL cannot be reached"];
        if (integrity is not ["ok"])
        {
            failures++;
            error.WriteLine($"Database integrity check failed: {string.Join("; ", integrity.Take(5))}");
        }
        else output.WriteLine("Database integrity: ok");

        var organizations = await db.Organizations.AsNoTracking().ToDictionaryAsync(o => o.Id, o => o.Name);
        var counts = new SortedDictionary<(string Organization, SecretEnvironment Environment), (int Ok, int Failed)>();
        // Secrets in the trash too: their values are still stored, encrypted, until they are purged.
        var secrets = db.Secrets.IgnoreQueryFilters().AsNoTracking().Include(s => s.Values).AsAsyncEnumerable();
        await foreach (var secret in secrets)
        {
            foreach (var value in secret.Values)
            {
                var outcome = cipher.Decrypt(value.ToEncrypted(), new ValuePlace(secret.OrganizationId, secret.Id, secret.Name, value.Environment));
                var key = (organizations.GetValueOrDefault(secret.OrganizationId, secret.OrganizationId.ToString()), value.Environment);
                var (ok, failed) = counts.GetValueOrDefault(key);
                counts[key] = outcome.Succeeded ? (ok + 1, failed) : (ok, failed + 1);
                if (!outcome.Succeeded)
                {
                    failures++;
                    error.WriteLine(outcome.Error);
                }
            }
        }

        foreach (var ((organization, environment), (ok, failed)) in counts)
            output.WriteLine($"{organization} / {environment}: {ok} value(s) decrypt{(failed > 0 ? $", {failed} FAILED" : "")}");

        // Every version of the history must decrypt too: a restore puts its ciphertext back in use as it is.
        var history = new SortedDictionary<string, (int Ok, int Failed)>();
        var versions = db.SecretValueVersions.AsNoTracking().Where(v => !v.Removed)
            .Join(db.Secrets.IgnoreQueryFilters(), v => v.SecretId, s => s.Id, (v, s) => new { Version = v, s.OrganizationId, s.Name })
            .AsAsyncEnumerable();
        await foreach (var item in versions)
        {
            var place = new ValuePlace(item.OrganizationId, item.Version.SecretId, item.Name, item.Version.Environment);
            var outcome = item.Version.ToEncrypted() is { } stored ? cipher.Decrypt(stored, place) : null;
            var organization = organizations.GetValueOrDefault(item.OrganizationId, item.OrganizationId.ToString());
            var (ok, failed) = history.GetValueOrDefault(organization);
            history[organization] = outcome is { Succeeded: true } ? (ok + 1, failed) : (ok, failed + 1);
            if (outcome is not { Succeeded: true })
            {
                failures++;
                error.WriteLine($"History version {item.Version.Number} of the {item.Version.Environment} value of secret {item.Name}: " +
                                (outcome?.Error ?? "its ciphertext is missing."));
            }
        }

        foreach (var (organization, (ok, failed)) in history)
            output.WriteLine($"{organization} / history: {ok} version(s) decrypt{(failed > 0 ? $", {failed} FAILED" : "")}");
        var keys = await db.DataKeys.CountAsync();
        output.WriteLine($"Data keys: {keys}. {(failures == 0 ? "Everything verified." : $"{failures} problem(s) found.")}");
        return failures == 0 ? 0 : 1;
    }
}
