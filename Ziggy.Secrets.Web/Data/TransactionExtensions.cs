using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Common;

namespace Ziggy.Secrets.Web.Data;

public static class TransactionExtensions
{
    // SQLite has one writer at a time. A second BEGIN IMMEDIATE gets SQLITE_BUSY, and Microsoft.Data.Sqlite retries it by
    // sleeping on a thread-pool thread, which under concurrent saves becomes most of a save's time. This process's write
    // transactions therefore queue here, asynchronously, one gate per database file; other processes (a rotate-key run)
    // still meet the busy retry.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> SqliteWriters = new();

    private const int SerializationAttempts = 20;

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits only when it returns Ok, so a refused or
    /// failed operation leaves nothing half-written. On SQLite the transaction starts with BEGIN IMMEDIATE,
    /// which serializes writers: a rule checked inside holds when the write happens.
    /// </summary>
    public static async Task<Result<T>> InTransactionAsync<T>(this ZiggyDbContext db, Func<Task<Result<T>>> work)
    {
        if (db.Database.IsSqlite())
        {
            var writer = SqliteWriters.GetOrAdd(db.Database.GetConnectionString() ?? "", _ => new SemaphoreSlim(1, 1));
            await writer.WaitAsync();
            try
            {
                return await AttemptAsync(db, work, System.Data.IsolationLevel.Serializable);
            }
            finally
            {
                writer.Release();
            }
        }

        // PostgreSQL: serializable, so a rule checked inside still holds at commit; a transaction that lost a race is
        // run again from the start (it reloads what it checks). The wait before each new attempt is random and doubles
        // up to a quarter of a second, so that many requests colliding on one row spread out instead of colliding again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AttemptAsync(db, work, System.Data.IsolationLevel.Serializable);
            }
            catch (Exception e) when (attempt < SerializationAttempts && DbErrors.IsSerializationFailure(e))
            {
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(1, Math.Min(250, 5 << attempt)));
            }
        }
    }

    private static async Task<Result<T>> AttemptAsync<T>(ZiggyDbContext db, Func<Task<Result<T>>> work, System.Data.IsolationLevel isolation)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(isolation);
        var result = await work();
        if (result.IsOk) await transaction.CommitAsync();
        else
        {
            await transaction.RollbackAsync();
            db.ChangeTracker.Clear();
        }

        return result;
    }
}
