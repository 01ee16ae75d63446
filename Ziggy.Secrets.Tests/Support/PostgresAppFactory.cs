using Npgsql;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// The app on PostgreSQL: a fresh database per factory on the local server (.ci/run installs and starts it), dropped
/// afterwards. ZIGGY_TEST_POSTGRES overrides the server's connection string.
/// </summary>
public sealed class PostgresAppFactory : ZiggyAppFactory
{
    public static readonly string PostgresServer =
        Environment.GetEnvironmentVariable("ZIGGY_TEST_POSTGRES") ?? "Host=127.0.0.1;Username=postgres;Password=ziggy;Timeout=5";

    public PostgresAppFactory()
        : this("ziggy_test_" + Guid.NewGuid().ToString("N"))
    {
    }

    private PostgresAppFactory(string database)
        : base(settings: new()
        {
            ["Ziggy:Database:Provider"] = "Postgres",
            ["Ziggy:Database:ConnectionString"] = ConnectionString(database),
            ["Ziggy:Integrations:AllowPrivateNetworks"] = "true",
            ["Ziggy:Integrations:TimeoutSeconds"] = "2",
        }) => Database = database;

    public string Database { get; }

    public static string ConnectionString(string database) => new NpgsqlConnectionStringBuilder(PostgresServer) { Database = database }.ToString();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        NpgsqlConnection.ClearAllPools();
        try
        {
            using var connection = new NpgsqlConnection(ConnectionString("postgres"));
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"DROP DATABASE IF EXISTS \"{Database}\" WITH (FORCE)";
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
            // A database left behind on a test server is harmless.
        }
    }
}
