using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Common;

namespace Ziggy.Secrets.Web.Data;

public static class TransactionExtensions
{
    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits only when it returns Ok, so a refused or
    /// failed operation leaves nothing half-written. On SQLite the transaction starts with BEGIN IMMEDIATE,
    /// which serializes writers: a rule checked inside holds when the write happens.
    /// </summary>
    public static async Task<Result<T>> InTransactionAsync<T>(this ZiggyDbContext db, Func<Task<Result<T>>> work)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
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
