using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Ziggy.Secrets.Web.Data;

/// <summary>The same model on PostgreSQL, with its own migrations (Data/Migrations/Postgres).</summary>
public sealed class PostgresZiggyDbContext(DbContextOptions<PostgresZiggyDbContext> options) : ZiggyDbContext(options);

/// <summary>For <c>dotnet ef migrations add ... --context PostgresZiggyDbContext</c>: no database is contacted.</summary>
public sealed class PostgresZiggyDbContextDesignTimeFactory : IDesignTimeDbContextFactory<PostgresZiggyDbContext>
{
    public PostgresZiggyDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresZiggyDbContext>().UseNpgsql("Host=localhost;Database=ziggy_design").Options);
}

/// <summary>For <c>dotnet ef migrations add ... --context ZiggyDbContext</c> (the SQLite migrations): no database is contacted.</summary>
public sealed class SqliteZiggyDbContextDesignTimeFactory : IDesignTimeDbContextFactory<ZiggyDbContext>
{
    public ZiggyDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ZiggyDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
