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
public sealed class PerModelQuery<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConcurrentDictionary<IModel, TQuery> _compiled = new();

    public TQuery For(DbContext db) => _compiled.GetOrAdd(db.Model, _ => compile());
}
