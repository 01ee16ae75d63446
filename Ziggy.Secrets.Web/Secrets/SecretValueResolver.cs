using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>A decrypted value with its mask, held only for the length of one integration run.</summary>
public sealed record ResolvedValue(string Name, string Value, string Mask);

/// <summary>
/// The one place that decrypts secret values for use. Every check (unknown names, missing values in the environment,
/// who may use which secret) happens before the first decrypt, so a refused run decrypts nothing; a run that goes
/// ahead decrypts exactly one value per referenced secret.
/// </summary>
public sealed class SecretValueResolver(ZiggyDbContext db, ISecretCipher cipher)
{
    public async Task<Result<IReadOnlyList<ResolvedValue>>> ResolveAsync(
        Guid organizationId, IReadOnlyList<string> names, SecretEnvironment environment, Func<Secret, Task<bool>> mayUse)
    {
        // Only what a run needs: each named secret's owner and the one environment's stored value (not all three).
        var rows = await (
            from s in db.Secrets.AsNoTracking()
            // One JSON array parameter, not one parameter per name: a fixed SQL text that EF can cache (the expanded form
            // regenerated its SQL on every run, most of a resolve's time and allocations).
            where s.OrganizationId == organizationId && EF.Parameter(names).Contains(s.Name)
            join v in db.SecretValues.AsNoTracking().Where(v => v.Environment == environment) on s.Id equals v.SecretId into values
            from v in values.DefaultIfEmpty()
            select new { s.Id, s.Name, s.OwnerId, Value = v }).ToListAsync();
        var secrets = rows.ToDictionary(r => r.Name, r =>
        {
            var secret = new Secret { Id = r.Id, OrganizationId = organizationId, Name = r.Name, OwnerId = r.OwnerId };
            if (r.Value is not null) secret.Values.Add(r.Value);
            return secret;
        }, StringComparer.Ordinal);

        var errors = new List<FieldError>();
        var unknown = names.Where(n => !secrets.ContainsKey(n)).ToList();
        if (unknown.Count > 0) errors.Add(new("", $"Unknown secrets: {string.Join(", ", unknown)}. Nothing was sent."));

        var known = names.Where(secrets.ContainsKey).Select(n => secrets[n]).ToList();
        var missing = known.Where(s => s.ValueFor(environment) is null).Select(s => s.Name).ToList();
        if (missing.Count > 0) errors.Add(new("", $"No {environment} value for: {string.Join(", ", missing)}. Nothing was sent."));

        foreach (var secret in known)
        {
            if (!await mayUse(secret))
                errors.Add(new("", $"This integration's owner may not use secret {secret.Name} (only its owner or an Admin may reference it). Nothing was sent."));
        }

        if (errors.Count > 0) return Result<IReadOnlyList<ResolvedValue>>.Invalid(errors);

        var resolved = new List<ResolvedValue>();
        foreach (var secret in known)
        {
            var stored = secret.ValueFor(environment)!;
            var outcome = cipher.Decrypt(stored.ToEncrypted(), new ValuePlace(secret.OrganizationId, secret.Id, secret.Name, environment));
            if (!outcome.Succeeded) return Result<IReadOnlyList<ResolvedValue>>.Invalid("", outcome.Error + " Nothing was sent.");
            resolved.Add(new ResolvedValue(secret.Name, outcome.Plaintext, stored.Mask));
        }

        return Result<IReadOnlyList<ResolvedValue>>.Ok(resolved);
    }
}
