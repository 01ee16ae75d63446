using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// An EF Core compiled query for a hot path, compiled once per model. Through LINQ, EF Core rebuilds and hashes the
/// query's expression on every call to find its cached plan; a compiled query skips that. One per model because the app
/// runs on SQLite or PostgreSQL (tests run both in one process), and EF Core refuses a compiled query on a model other
/// than the first it ran on.
/// </summary>
/// <remarks>
/// SQLite compiles a statement every time it runs (Microsoft.Data.Sqlite keeps no compiled statement across commands),
/// and on a request's hot path compiling a statement costs more than running it, the more so the more subqueries it
/// holds. So the hot queries are written flat: a query for one row with a collection (an Include, a list in the
/// projection) asks for all rows of its key and takes the first, where FirstOrDefault would make EF Core wrap the row
/// in a LIMIT subquery; a row's children are read as a joined collection, not as a subquery each; a filtered table is
/// joined on every key (a value on its secret and environment), not through a filtered subquery; and a query that
/// limits rows joins before it limits, so the limit stays outside a subquery.
/// </remarks>
public sealed class PerModelQuery<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConcurrentDictionary<IModel, TQuery> _compiled = new();

    public TQuery For(DbContext db) => _compiled.GetOrAdd(db.Model, _ => compile());
}
