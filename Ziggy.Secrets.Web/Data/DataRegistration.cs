using System.Data.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Ziggy.Secrets.Web.Data;

/// <summary>Which database: the embedded SQLite file (default) or PostgreSQL, for several instances.</summary>
public sealed record DatabaseSettings(bool IsPostgres, string? ConnectionString)
{
    public const string ProviderKey = "Ziggy:Database:Provider";
    public const string ConnectionStringKey = "Ziggy:Database:ConnectionString";

    /// <summary>Statements Npgsql keeps prepared on each connection unless the connection string says otherwise.</summary>
    public const int AutoPreparedStatements = 64;

    /// <summary>Reads <c>Ziggy:Database:Provider</c> (Sqlite | Postgres) and <c>Ziggy:Database:ConnectionString</c>; null plus an error when they do not fit.</summary>
    public static (DatabaseSettings? Settings, string? Error) From(IConfiguration configuration)
    {
        var provider = configuration[ProviderKey] ?? configuration["ZIGGY_DATABASE_PROVIDER"] ?? "Sqlite";
        var connection = configuration[ConnectionStringKey] ?? configuration["ZIGGY_DATABASE_CONNECTION"];
        return provider.ToLowerInvariant() switch
        {
            "sqlite" => (new DatabaseSettings(false, null), null),
            "postgres" or "postgresql" when !string.IsNullOrWhiteSpace(connection) => Postgres(connection),
            "postgres" or "postgresql" => (null, $"{ProviderKey} is Postgres, so {ConnectionStringKey} (or ZIGGY_DATABASE_CONNECTION) must hold its connection string."),
            _ => (null, $"{ProviderKey} must be Sqlite or Postgres (it is '{provider}')."),
        };
    }

    /// <summary>
    /// The operator's connection string with Npgsql's automatic preparation on, unless it sets <c>Max Auto Prepare</c>
    /// itself (0 turns it off, for a connection pooler that cannot keep prepared statements): the app runs the same
    /// statements over and over, and PostgreSQL then parses and plans each once per connection instead of on every call.
    /// </summary>
    public static (DatabaseSettings? Settings, string? Error) Postgres(string connection)
    {
        try
        {
            var given = new DbConnectionStringBuilder { ConnectionString = connection };
            if (given.Keys.Cast<string>().Any(k => k.Replace(" ", "").Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
                return (new DatabaseSettings(true, connection), null);
            return (new DatabaseSettings(true, new NpgsqlConnectionStringBuilder(connection) { MaxAutoPrepare = AutoPreparedStatements }.ConnectionString), null);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Not the parser's message: a password holding a ';' would be cut into a "keyword" it would quote.
            return (null, $"{ConnectionStringKey} is not a PostgreSQL connection string: it must be Keyword=value pairs separated by ';', with keywords Npgsql knows.");
        }
    }
}

public static class DataRegistration
{
    /// <remarks>Contexts are pooled: a request's context is reset and reused instead of built, with its options, for every request.</remarks>
    public static IServiceCollection AddZiggyData(this IServiceCollection services, string dataFolder, DatabaseSettings database)
    {
        services.AddSingleton(database);
        var protection = services.AddDataProtection().SetApplicationName("Ziggy.Secrets");
        if (database.IsPostgres)
        {
            services.AddDbContextPool<ZiggyDbContext, PostgresZiggyDbContext>(options => options.UseNpgsql(database.ConnectionString).ConfigureWarnings(ExpectedWarnings));
            // Several instances read the same keys, so a cookie from one signs in on the others.
            protection.PersistKeysToDbContext<ZiggyDbContext>();
        }
        else
        {
            var connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = DataFolder.DatabasePath(dataFolder),
                Pooling = true,
                // Writers wait for each other instead of failing with "database is locked".
                DefaultTimeout = 30,
            }.ToString();
            services.AddDbContextPool<ZiggyDbContext>(options => options.UseSqlite(connectionString).AddInterceptors(new SqliteSecureDeleteInterceptor()).ConfigureWarnings(ExpectedWarnings));
            // Sign-in cookies stay valid across restarts because their keys live in the data folder.
            protection.PersistKeysToFileSystem(new DirectoryInfo(DataFolder.DataProtectionKeysPath(dataFolder)));
        }

        // Either way the keys are encrypted at rest under a key derived from the master key (Crypto/DataProtectionKeyEncryption).
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<Crypto.DataProtectionKeyProtector>((options, protector) => options.XmlEncryptor = new Crypto.MasterKeyXmlEncryptor(protector));
        return services;
    }

    // Secret's query filter hides trashed secrets, not their values: rotate-key and verify must still reach those
    // (Data/Configurations/SecretConfiguration.cs), so EF Core's warning about that on every start is expected.
    private static void ExpectedWarnings(Microsoft.EntityFrameworkCore.Diagnostics.WarningsConfigurationBuilder warnings) =>
        warnings.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.PossibleIncorrectRequiredNavigationWithQueryFilterInteractionWarning);

    /// <summary>Applies the checked-in migrations (and on SQLite creates the file owner-only and switches it to WAL).</summary>
    public static void MigrateZiggyDatabase(this IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
        // Made before SQLite would create it with the process's default mode.
        if (db.Database.IsSqlite()) DataFolder.CreateFile(new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource);
        db.Database.Migrate();
        if (db.Database.IsSqlite()) db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
    }
}
