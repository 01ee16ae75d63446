using Microsoft.EntityFrameworkCore;

namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// The database's secrets change stamp: a one-row table whose value a trigger replaces, in the same transaction, on every
/// insert, update or delete of a secret or a stored value, whoever writes the file (migration SecretsChangeStamp).
/// Whoever holds something read under a stamp may keep using it while the stamp is the same.
/// </summary>
public sealed class SecretsChangeStamp() : SqliteWatchedNumber("SELECT Stamp FROM SecretsChangeStamp WHERE Id = 1")
{
    /// <summary>The stamp now, for <paramref name="db"/>'s database (a SQLite one).</summary>
    public long Read(ZiggyDbContext db) => Read(db.Database.GetConnectionString()!);
}
