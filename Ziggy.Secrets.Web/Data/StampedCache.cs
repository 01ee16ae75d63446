using System.Collections.Concurrent;

namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// Things read from the SQLite database, kept in memory under the <see cref="SecretsChangeStamp"/> they were read under
/// and used only while the stamp is still that one: whatever the stamp covers changed, in this process or any other,
/// means a new stamp, and a new stamp drops every entry. Off on PostgreSQL, which has no stamp (another instance may
/// change anything at any moment): there every read goes to the database.
/// </summary>
/// <remarks>
/// The caller asks for the stamp (<see cref="StampNow"/>) first and reads the database second, so what it keeps is at
/// least as new as its stamp.
/// </remarks>
public abstract class StampedCache<TKey, TValue>(DatabaseSettings database, SecretsChangeStamp changes, int capacity) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (long Stamp, TValue Value)> _entries = new();
    private readonly Lock _gate = new();
    private long _stamp;
    private int _weight;
    private long _misses;

    private readonly bool _isEnabled = !database.IsPostgres;

    /// <summary>How many look-ups found nothing usable (the caller then read the database).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The stamp now, for <paramref name="db"/>'s database; null on PostgreSQL, where nothing is kept.</summary>
    public long? StampNow(ZiggyDbContext db) => _isEnabled ? changes.Read(db) : null;

    /// <summary>The value kept for <paramref name="key"/> under <paramref name="stamp"/>, the stamp just read.</summary>
    public bool TryGet(TKey key, long stamp, out TValue value)
    {
        if (stamp != Volatile.Read(ref _stamp))
        {
            lock (_gate)
            {
                Clear();
                Volatile.Write(ref _stamp, stamp);
            }
        }

        if (_entries.TryGetValue(key, out var entry) && entry.Stamp == stamp)
        {
            value = entry.Value;
            return true;
        }

        Interlocked.Increment(ref _misses);
        value = default!;
        return false;
    }

    /// <summary>
    /// Keeps a value read from the database after reading <paramref name="stamp"/>; not when a newer stamp was seen since.
    /// <paramref name="weight"/> counts against the capacity (rows, for a list); past it the cache starts over.
    /// </summary>
    public void Put(TKey key, long stamp, TValue value, int weight = 1)
    {
        if (stamp != Volatile.Read(ref _stamp) || weight > capacity) return;
        if (Interlocked.Add(ref _weight, weight) > capacity)
        {
            lock (_gate)
            {
                Clear();
                Interlocked.Add(ref _weight, weight);
            }
        }

        _entries[key] = (stamp, value);
    }

    private void Clear()
    {
        _entries.Clear();
        Volatile.Write(ref _weight, 0);
    }
}
