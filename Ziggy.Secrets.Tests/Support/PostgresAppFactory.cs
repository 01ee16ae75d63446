using Npgsql;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// The app on PostgreSQL: a fresh database per factory on the test run's server (<see cref="TestPostgres"/>), dropped
/// afterwards. A class using it is marked [RequiresPostgres], so that it is skipped where PostgreSQL cannot run.
/// </summary>
public sealed class PostgresAppFactory : ZiggyAppFactory
{
    public PostgresAppFactory()
        : this("ziggy_test_" + Guid.NewGuid().ToString("N"))
    {
    }

    private PostgresAppFactory(string database)
        : this(database, TestPostgres.ConnectionString(database))
    {
    }

    private PostgresAppFactory(string database, string connectionString)
        : base(settings: new()
        {
            ["Ziggy:Database:Provider"] = "Postgres",
            ["Ziggy:Database:ConnectionString"] = connectionString,
            ["Ziggy:Integrations:AllowPrivateNetworks"] = "true",
            ["Ziggy:Integrations:TimeoutSeconds"] = "2",
        })
    {
        Database = database;
        ConnectionString = Web.Data.DatabaseSettings.Postgres(connectionString).Settings!.ConnectionString!;
    }

    public string Database { get; }

    /// <summary>The connection string the app makes of the configured one, which is also the key of its connection pool.</summary>
    public string ConnectionString { get; }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        using (var connection = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(connection);
        try
        {
            TestPostgres.DropDatabase(Database);
        }
        catch (NpgsqlException)
        {
            // A database left behind on a test server is harmless.
        }
    }
}
