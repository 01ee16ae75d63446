using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>How much value history is kept (configuration section <c>Ziggy:History</c>).</summary>
public sealed class HistoryOptions
{
    public const string Section = "Ziggy:History";

    /// <summary>The newest versions kept per secret and environment, whatever their age.</summary>
    public int KeepVersions { get; set; } = 50;

    /// <summary>Versions younger than this many days are kept, however many there are.</summary>
    public int KeepDays { get; set; } = 90;
}

/// <summary>One line of an environment's history as the editor shows it: never a value, only its mask and fingerprint.</summary>
public sealed record ValueVersionRow(int Number, DateTimeOffset WrittenAt, string WrittenBy, bool Removed, string? Mask, byte[]? Fingerprint, int? RestoredFrom)
{
    public string? ShortFingerprint => ValueFingerprint.Short(Fingerprint);
}

/// <summary>
/// The versions of each secret's environment values. Only <see cref="SecretService"/> writes them, inside the
/// transaction of the write they record; pruning runs in that same transaction.
/// </summary>
public sealed class ValueHistory(ZiggyDbContext db, IOptions<HistoryOptions> options)
{
    /// <summary>
    /// Adds the version that <paramref name="next"/> (null: the value is removed) becomes, to the tracked context. A value
    /// stored before history existed has no version yet: it is kept first, as version 1, so it can be restored too.
    /// Call before the tracked <see cref="SecretValue"/> is changed, and save afterwards. Answers the new version's number.
    /// </summary>
    public async Task<int> AppendAsync(Secret secret, SecretEnvironment environment, SecretValue? previous, SecretValue? next, Guid writtenById,
        DateTimeOffset now, int? restoredFrom = null)
    {
        var stored = await Stored.For(db)(db, secret.Id, environment);
        var last = stored?.Last ?? 0;
        var oldest = last == 0 ? previous?.UpdatedAt : stored!.Oldest;
        if (oldest is not null) _oldest[(secret.Id, environment)] = oldest.Value;
        return Append(secret, environment, previous, next, writtenById, now, last, restoredFrom);
    }

    // Every save of a value asks it: compiled once. Two scalar subqueries, so that each is one step down its own index
    // ((SecretId, Environment, Number) and (SecretId, Environment, WrittenAt)) rather than a walk over every version.
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, SecretEnvironment, Task<StoredVersions?>>> Stored = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext c, Guid secretId, SecretEnvironment environment) =>
            c.Secrets.IgnoreQueryFilters().Where(s => s.Id == secretId)
                .Select(s => new StoredVersions(
                    c.SecretValueVersions.Where(v => v.SecretId == secretId && v.Environment == environment).Max(v => (int?)v.Number),
                    c.SecretValueVersions.Where(v => v.SecretId == secretId && v.Environment == environment).Min(v => (DateTimeOffset?)v.WrittenAt)))
                .FirstOrDefault()));

    /// <summary>An environment's newest version number and the write time of its oldest version (nulls: it has none).</summary>
    private sealed record StoredVersions(int? Last, DateTimeOffset? Oldest);

    // What AppendAsync learned of each environment's oldest version (this scope's, so one request's): PruneAsync skips
    // its read when that version is younger than the age limit, since then no version can go.
    private readonly Dictionary<(Guid SecretId, SecretEnvironment Environment), DateTimeOffset> _oldest = [];

    /// <summary><see cref="AppendAsync"/> with the environment's newest version number known (<see cref="LastNumbersAsync"/>; 0: none).</summary>
    public int Append(Secret secret, SecretEnvironment environment, SecretValue? previous, SecretValue? next, Guid writtenById, DateTimeOffset now, int last,
        int? restoredFrom = null)
    {
        if (last == 0 && previous is not null)
        {
            db.SecretValueVersions.Add(new SecretValueVersion
            {
                SecretId = secret.Id, Environment = environment, Number = ++last, WrittenAt = previous.UpdatedAt, WrittenById = secret.UpdatedById,
                KeyId = previous.KeyId, Nonce = previous.Nonce, Ciphertext = previous.Ciphertext, Mask = previous.Mask, Fingerprint = previous.Fingerprint,
            });
        }

        db.SecretValueVersions.Add(next is null
            ? new SecretValueVersion { SecretId = secret.Id, Environment = environment, Number = last + 1, WrittenAt = now, WrittenById = writtenById, Removed = true }
            : new SecretValueVersion
            {
                SecretId = secret.Id, Environment = environment, Number = last + 1, WrittenAt = now, WrittenById = writtenById, RestoredFrom = restoredFrom,
                KeyId = next.KeyId, Nonce = next.Nonce, Ciphertext = next.Ciphertext, Mask = next.Mask, Fingerprint = next.Fingerprint,
            });
        return last + 1;
    }

    /// <summary>The newest version number of each environment of these secrets that has versions, in one query per 1,000 secrets.</summary>
    public async Task<Dictionary<(Guid SecretId, SecretEnvironment Environment), int>> LastNumbersAsync(IReadOnlyCollection<Guid> secretIds)
    {
        var last = new Dictionary<(Guid, SecretEnvironment), int>();
        foreach (var chunk in secretIds.Chunk(1000))
        {
            var rows = await db.SecretValueVersions
                .Where(v => chunk.Contains(v.SecretId))
                .GroupBy(v => new { v.SecretId, v.Environment })
                .Select(g => new { g.Key.SecretId, g.Key.Environment, Last = g.Max(v => v.Number) })
                .ToListAsync();
            foreach (var row in rows) last[(row.SecretId, row.Environment)] = row.Last;
        }

        return last;
    }

    /// <summary>Adds version 1 of a new secret's value to the tracked context (a new secret has no versions to count).</summary>
    public void AppendFirst(Secret secret, SecretEnvironment environment, SecretValue value, Guid writtenById, DateTimeOffset now) =>
        db.SecretValueVersions.Add(new SecretValueVersion
        {
            SecretId = secret.Id, Environment = environment, Number = 1, WrittenAt = now, WrittenById = writtenById,
            KeyId = value.KeyId, Nonce = value.Nonce, Ciphertext = value.Ciphertext, Mask = value.Mask, Fingerprint = value.Fingerprint,
        });

    /// <summary>
    /// Deletes the versions of these environments that are neither among the newest <see cref="HistoryOptions.KeepVersions"/>
    /// nor younger than <see cref="HistoryOptions.KeepDays"/>. <paramref name="newest"/> holds each environment's newest
    /// version number, as <see cref="AppendAsync"/> answered it; that version (the current value) always stays.
    /// </summary>
    /// <remarks>
    /// The versions older than the age limit are read first, through the index on their write time: earlier prunes
    /// removed the old ones beyond the newest kept, so this reads at most those plus the ones to delete now, however
    /// many young versions there are. When none is to go, nothing is written. When <see cref="AppendAsync"/> found the
    /// environment's oldest version younger than the age limit, nothing is read either.
    /// </remarks>
    public async Task PruneAsync(Guid secretId, IReadOnlyDictionary<SecretEnvironment, int> newest, DateTimeOffset now)
    {
        var keep = Math.Max(1, options.Value.KeepVersions);
        var cutoff = now.AddDays(-Math.Max(0, options.Value.KeepDays));
        foreach (var (environment, number) in newest)
        {
            var below = number - keep;
            if (below <= 0 || (_oldest.TryGetValue((secretId, environment), out var oldest) && oldest >= cutoff)) continue;
            var old = await OldVersionsQuery(db, secretId, environment, cutoff).ToListAsync();
            var doomed = old.Where(v => v.Number <= below).Select(v => v.Id).ToList();
            foreach (var chunk in doomed.Chunk(1000))
                await db.SecretValueVersions.Where(v => chunk.Contains(v.Id)).ExecuteDeleteAsync();
        }
    }

    /// <summary>
    /// An environment's versions written before <paramref name="cutoff"/>, ids and numbers. It has no condition on the
    /// number, so the database reads them through the (SecretId, Environment, WrittenAt) index.
    /// </summary>
    public static IQueryable<OldVersion> OldVersionsQuery(ZiggyDbContext db, Guid secretId, SecretEnvironment environment, DateTimeOffset cutoff) =>
        db.SecretValueVersions.Where(v => v.SecretId == secretId && v.Environment == environment && v.WrittenAt < cutoff)
            .Select(v => new OldVersion(v.Id, v.Number));

    public sealed record OldVersion(long Id, int Number);

    /// <summary>One environment's versions, newest first.</summary>
    public async Task<IReadOnlyList<ValueVersionRow>> ListAsync(Guid secretId, SecretEnvironment environment) =>
        await db.SecretValueVersions.AsNoTracking()
            .Where(v => v.SecretId == secretId && v.Environment == environment)
            .OrderByDescending(v => v.Number)
            .Select(v => new ValueVersionRow(v.Number, v.WrittenAt, v.WrittenBy!.DisplayName, v.Removed, v.Mask, v.Fingerprint, v.RestoredFrom))
            .ToListAsync();
}
