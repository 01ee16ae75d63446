using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>What a run needs of one named secret: its id, its owner, and the one environment's stored value (null when it has none).</summary>
public sealed record StoredSecretValue(Guid SecretId, Guid OrganizationId, string Name, Guid OwnerId, SecretValue? Value) : IOwnedResource
{
    /// <summary>The stored value as the cipher takes it, with the place it is bound to; made once, used by every run.</summary>
    public (EncryptedValue Value, ValuePlace Place)? Ciphertext { get; } =
        Value is null ? null : (Value.ToEncrypted(), new ValuePlace(OrganizationId, SecretId, Name, Value.Environment));
}

/// <summary>
/// The stored values integration runs resolve, kept in memory so a run need not query them each time (SQLite only).
/// It holds exactly what the database holds (ciphertext, nonce, key id, mask, owner), never a plaintext, and only under
/// the <see cref="SecretsChangeStamp"/> it was read under: a changed, moved, removed or transferred secret is never
/// served from memory.
/// </summary>
public sealed class StoredValueCache(DatabaseSettings database, SecretsChangeStamp changes)
    : StampedCache<(Guid Organization, SecretEnvironment Environment, string Name), StoredSecretValue>(database, changes, capacity: 20_000)
{
    /// <summary>Every named secret, in the order named, as kept under <paramref name="stamp"/>; null when any of them is not.</summary>
    public StoredSecretValue?[]? TryGet(Guid organizationId, SecretEnvironment environment, IReadOnlyList<string> names, long stamp)
    {
        var found = new StoredSecretValue?[names.Count];
        for (var i = 0; i < found.Length; i++)
        {
            if (!TryGet((organizationId, environment, names[i]), stamp, out var row)) return null;
            found[i] = row;
        }

        return found;
    }

    /// <summary>Keeps rows the caller queried after reading <paramref name="stamp"/>.</summary>
    public void Put(Guid organizationId, SecretEnvironment environment, IEnumerable<StoredSecretValue> rows, long stamp)
    {
        foreach (var row in rows) Put((organizationId, environment, row.Name), stamp, row);
    }
}

/// <summary>
/// The Secrets grid's rows per organization, kept in memory under the <see cref="SecretsChangeStamp"/> they were read
/// under (SQLite only): the stamp changes with every write to a secret or a value and with every change of a member's
/// display name, the grid's Owner column.
/// </summary>
public sealed class SecretRowsCache(DatabaseSettings database, SecretsChangeStamp changes)
    : StampedCache<Guid, IReadOnlyList<SecretRow>>(database, changes, capacity: 200_000);
