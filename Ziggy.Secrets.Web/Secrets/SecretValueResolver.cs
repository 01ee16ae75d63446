using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>A decrypted value with its mask, held only for the length of one integration run or one API answer.</summary>
public sealed record ResolvedValue(string Name, string Value, string Mask);

/// <summary>What a run needs of one named secret: its id, its owner, and the one environment's stored value (null when it has none).</summary>
public sealed record StoredSecretValue(Guid SecretId, Guid OrganizationId, string Name, Guid OwnerId, SecretValue? Value) : IOwnedResource;

/// <summary>
/// The one place that decrypts secret values for use. Every check (unknown names, missing values in the environment,
/// who may use which secret) happens before the first decrypt, so a refused run decrypts nothing; a run that goes
/// ahead decrypts exactly one value per referenced secret.
/// </summary>
/// <remarks>
/// The stored values are read from the database on every run, in one query: another instance, or an operator, may have
/// changed, moved or transferred a secret a moment ago.
/// </remarks>
public sealed class SecretValueResolver(ZiggyDbContext db, ISecretCipher cipher)
{
    /// <param name="refusals">
    /// Why the run may not use these secrets together (none when it may), judged on the secrets as stored now (their
    /// current owners); asked once, with every named secret that exists, before anything is decrypted.
    /// </param>
    public async Task<Result<IReadOnlyList<ResolvedValue>>> ResolveAsync(Guid organizationId, IReadOnlyList<string> names, SecretEnvironment environment,
        Func<IReadOnlyList<StoredSecretValue>, Task<IReadOnlyList<string>>> refusals)
    {
        var stored = InOrder(names, await QueryAsync(organizationId, names, environment));

        // In the order the template names them.
        var known = new List<StoredSecretValue>(names.Count);
        List<string>? unknown = null, missing = null;
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (stored[i] is not { } secret) (unknown ??= []).Add(name);
            else
            {
                known.Add(secret);
                if (secret.Value is null) (missing ??= []).Add(name);
            }
        }

        var refused = await refusals(known);
        var trashed = unknown is null ? [] : await TrashedAsync(organizationId, unknown);
        unknown = unknown?.Except(trashed).ToList() is { Count: > 0 } rest ? rest : null;
        if (unknown is not null || trashed.Count > 0 || missing is not null || refused.Count > 0)
        {
            var errors = new List<FieldError>();
            foreach (var name in trashed) errors.Add(new("", $"{name} is in the trash. Nothing was sent."));
            if (unknown is not null) errors.Add(new("", $"Unknown secrets: {string.Join(", ", unknown)}. Nothing was sent."));
            if (missing is not null) errors.Add(new("", $"No {environment} value for: {string.Join(", ", missing)}. Nothing was sent."));
            foreach (var refusal in refused) errors.Add(new("", $"{refusal} Nothing was sent."));
            return Result<IReadOnlyList<ResolvedValue>>.Invalid(errors);
        }

        return Decrypt(known, " Nothing was sent.");
    }

    /// <summary>
    /// What is stored now for each of the secrets <paramref name="secretIds"/> that still exist in the organization
    /// (by id, so a renamed secret is still found): its current name, owner and the one environment's value. Decrypts nothing.
    /// </summary>
    /// <remarks>
    /// The statement names only the ids, and the organization is checked on the rows it returns, as
    /// <see cref="SecretsById.WithIds"/> explains.
    /// </remarks>
    public async Task<List<StoredSecretValue>> StoredByIdAsync(Guid organizationId, List<Guid> secretIds, SecretEnvironment environment)
    {
        var stored = await ById.For(db)(db, secretIds, environment).ToListAsync();
        return stored.InOrganization(organizationId, s => s.OrganizationId);
    }

    /// <summary>
    /// Decrypts one value per secret, each of which the caller has checked may be used and has a value. Fails whole when
    /// any value does not decrypt, naming no value.
    /// </summary>
    public Result<IReadOnlyList<ResolvedValue>> Decrypt(IReadOnlyList<StoredSecretValue> secrets, string failureSuffix = "")
    {
        var resolved = new List<ResolvedValue>(secrets.Count);
        foreach (var secret in secrets)
        {
            var storedValue = secret.Value ?? throw new InvalidOperationException($"{secret.Name} has no value to decrypt; check for values before decrypting.");
            var outcome = cipher.Decrypt(storedValue.ToEncrypted(), new ValuePlace(secret.OrganizationId, secret.SecretId, secret.Name, storedValue.Environment));
            if (!outcome.Succeeded) return Result<IReadOnlyList<ResolvedValue>>.Invalid("", outcome.Error + failureSuffix);
            resolved.Add(new ResolvedValue(secret.Name, outcome.Plaintext, storedValue.Mask));
        }

        return Result<IReadOnlyList<ResolvedValue>>.Ok(resolved);
    }

    /// <summary>For each of <paramref name="names"/>, in order, what is stored under it; null for a name the organization does not have.</summary>
    private static StoredSecretValue?[] InOrder(IReadOnlyList<string> names, List<StoredSecretValue> rows)
    {
        var byName = rows.ToDictionary(r => r.Name, StringComparer.Ordinal);
        return names.Select(n => byName.GetValueOrDefault(n)).ToArray();
    }

    /// <summary>Which of <paramref name="names"/> (none of which names a secret in use) belong to secrets in the trash.</summary>
    private async Task<List<string>> TrashedAsync(Guid organizationId, List<string> names)
    {
        var trashed = await db.Secrets.IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.OrganizationId == organizationId && s.DeletedAt != null && names.Contains(s.Name))
            .Select(s => s.Name).Distinct().ToListAsync();
        return names.Where(trashed.Contains).ToList();
    }

    // Only what a run or an API call needs: each secret's owner and the one environment's stored value (not all
    // three), joined on both keys rather than through a subquery of that environment's values (see PerModelQuery).
    // Compiled: these run on every integration run and every API call.
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, List<string>, SecretEnvironment, IAsyncEnumerable<StoredSecretValue>>> ByName = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext db, Guid organizationId, List<string> names, SecretEnvironment environment) =>
            from s in db.Secrets.AsNoTracking()
            where s.OrganizationId == organizationId && names.Contains(s.Name)
            join v in db.SecretValues.AsNoTracking() on new { Id = s.Id, Environment = environment } equals new { Id = v.SecretId, v.Environment } into values
            from v in values.DefaultIfEmpty()
            select new StoredSecretValue(s.Id, s.OrganizationId, s.Name, s.OwnerId, v)));

    private static readonly PerModelQuery<Func<ZiggyDbContext, List<Guid>, SecretEnvironment, IAsyncEnumerable<StoredSecretValue>>> ById = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext db, List<Guid> secretIds, SecretEnvironment environment) =>
            from s in db.Secrets.AsNoTracking()
            where secretIds.Contains(s.Id)
            join v in db.SecretValues.AsNoTracking() on new { Id = s.Id, Environment = environment } equals new { Id = v.SecretId, v.Environment } into values
            from v in values.DefaultIfEmpty()
            select new StoredSecretValue(s.Id, s.OrganizationId, s.Name, s.OwnerId, v)));

    private async Task<List<StoredSecretValue>> QueryAsync(Guid organizationId, IReadOnlyList<string> names, SecretEnvironment environment) =>
        await ByName.For(db)(db, organizationId, [.. names], environment).ToListAsync();
}
