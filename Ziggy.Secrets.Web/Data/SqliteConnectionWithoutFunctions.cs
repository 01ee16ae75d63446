#pragma warning disable EF1001 // EF Core's SQLite connection service is internal API; the package version is pinned.
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Sqlite.Storage.Internal;
using Microsoft.EntityFrameworkCore.Storage;

namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// EF Core's SQLite connection without the SQL functions EF Core adds to every connection it creates.
/// </summary>
/// <remarks>
/// <para>
/// EF Core gives each connection it creates seven functions, four aggregates and a collation (<c>regexp</c> for
/// <c>Regex.IsMatch</c>, and <c>ef_add</c>, <c>ef_sum</c>, <c>EF_DECIMAL</c>... for decimal arithmetic and ordering).
/// Microsoft.Data.Sqlite defines them again on the native connection at every open, and SQLite expires every statement
/// prepared on a connection whenever one of its functions is defined again. A pooled context opens its connection
/// once per request or transaction, so each of <see cref="DirectSql"/>'s prepared statements was parsed and planned
/// again at its first use after every open: a profile of the save showed <c>sqlite3_step</c> re-preparing.
/// </para>
/// <para>
/// The app's model has no decimal property and no query matches a regular expression, so EF Core never writes SQL that
/// calls these functions (a test checks the model). A query that needed them would fail loudly with SQLite's
/// "no such function", never return other rows. EF Core would also copy a command timeout set in its options onto the
/// connection; the app sets none (its connection string's Default Timeout applies).
/// </para>
/// </remarks>
public sealed class SqliteConnectionWithoutFunctions(
    RelationalConnectionDependencies dependencies,
    IRawSqlCommandBuilder rawSqlCommandBuilder,
    IDiagnosticsLogger<DbLoggerCategory.Infrastructure> logger)
    : SqliteRelationalConnection(dependencies, rawSqlCommandBuilder, logger)
{
    /// <summary>Has the contexts built with <paramref name="options"/> use this connection instead of EF Core's own.</summary>
    public static DbContextOptionsBuilder Replace(DbContextOptionsBuilder options) =>
        options.ReplaceService<ISqliteRelationalConnection, SqliteConnectionWithoutFunctions>();

    protected override DbConnection CreateDbConnection() => new SqliteConnection(GetValidatedConnectionString());
}
