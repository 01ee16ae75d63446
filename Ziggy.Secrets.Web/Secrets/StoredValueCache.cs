using System.Collections.Concurrent;
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
/// It holds exactly what the database holds (ciphertext, nonce, key id, mask, owner), never a plaintext. An entry is
/// used only under the <see cref="SecretsChangeStamp"/> it was read under, and every insert, update or delete of a
/// secret or a stored value, by this server or anything else writing the file (rotate-key, a hand-written UPDATE),
/// changes the stamp in the same transaction: a changed, moved, removed or transferred secret is never served from
/// memory.
/// </summary>
public sealed class StoredValueCache(DatabaseSettings database)
{
    /// <summary>Beyond this many entries the cache starts over: at about 300 bytes an entry, a few MB at most.</summary>
    public const int MaxEntries = 20_000;

    // Per organization and environment, then by name.
    private readonly ConcurrentDictionary<(Guid Organization, SecretEnvironment Environment), ConcurrentDictionary<string, (long Stamp, StoredSecretValue Value)>> _entries = new();
    private readonly Lock _gate = new();
    private int _count;
    private long _stamp;
    private long _misses;

    /// <summary>False on PostgreSQL: there the resolver queries on every run.</summary>
    public bool IsEnabled { get; } = !database.IsPostgres;

    /// <summary>How many lookups the cache could not answer (the resolver then queried the database).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>
    /// Every named secret, in the order named, as read under <paramref name="stamp"/> (the stamp now); null when any of
    /// them is not held for it. A new stamp drops every entry.
    /// </summary>
    public StoredSecretValue?[]? TryGet(Guid organizationId, SecretEnvironment environment, IReadOnlyList<string> names, long stamp)
    {
        if (stamp != Volatile.Read(ref _stamp))
        {
            lock (_gate)
            {
                Clear();
                Volatile.Write(ref _stamp, stamp);
            }
        }

        var found = new StoredSecretValue?[names.Count];
        _entries.TryGetValue((organizationId, environment), out var held);
        for (var i = 0; i < found.Length; i++)
        {
            if (held is null || !held.TryGetValue(names[i], out var entry) || entry.Stamp != stamp)
            {
                Interlocked.Increment(ref _misses);
                return null;
            }

            found[i] = entry.Value;
        }

        return found;
    }

    /// <summary>Keeps rows the caller queried after reading <paramref name="stamp"/>; rows of a stamp that is no longer the latest are not kept.</summary>
    public void Put(Guid organizationId, SecretEnvironment environment, IEnumerable<StoredSecretValue> rows, long stamp)
    {
        if (stamp != Volatile.Read(ref _stamp)) return;
        if (Volatile.Read(ref _count) >= MaxEntries)
        {
            lock (_gate) Clear();
        }

        var held = _entries.GetOrAdd((organizationId, environment), _ => new(StringComparer.Ordinal));
        foreach (var row in rows)
        {
            if (held.TryAdd(row.Name, (stamp, row))) Interlocked.Increment(ref _count);
            else held[row.Name] = (stamp, row);
        }
    }

    private void Clear()
    {
        _entries.Clear();
        Volatile.Write(ref _count, 0);
    }
}
