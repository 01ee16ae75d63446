using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Ziggy.Secrets.Web.Data;

public static class DbErrors
{
    /// <summary>
    /// True when the database refused a write because of a unique index: the last word on uniqueness. The refusal comes
    /// wrapped in a DbUpdateException from SaveChanges, as itself from a raw statement.
    /// </summary>
    public static bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 }
            or Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation }
        || exception.InnerException is { } inner && IsUniqueViolation(inner);

    /// <summary>A unique index of <paramref name="table"/> refused the write.</summary>
    public static bool IsUniqueViolationOn(Exception exception, string table) => exception switch
    {
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 } sqlite => sqlite.Message.Contains($"UNIQUE constraint failed: {table}.", StringComparison.Ordinal),
        Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } postgres => postgres.TableName == table,
        _ => exception.InnerException is { } inner && IsUniqueViolationOn(inner, table),
    };

    /// <summary>PostgreSQL gave up a serializable transaction because another one changed what it read: run it again.</summary>
    public static bool IsSerializationFailure(Exception exception) =>
        exception is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.SerializationFailure or Npgsql.PostgresErrorCodes.DeadlockDetected }
        || exception.InnerException is { } inner && IsSerializationFailure(inner);
}
