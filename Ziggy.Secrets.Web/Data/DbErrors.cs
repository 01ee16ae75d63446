using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Ziggy.Secrets.Web.Data;

public static class DbErrors
{
    /// <summary>True when the database refused a write because of a unique index: the last word on uniqueness.</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };
}
