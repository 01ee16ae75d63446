using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Ziggy.Secrets.Web.Data;

public static class DataRegistration
{
    public static IServiceCollection AddZiggyData(this IServiceCollection services, string dataFolder)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DataFolder.DatabasePath(dataFolder),
            Pooling = true,
            // Writers wait for each other instead of failing with "database is locked".
            DefaultTimeout = 30,
        }.ToString();

        services.AddDbContext<ZiggyDbContext>(options => options.UseSqlite(connectionString));

        // Sign-in cookies stay valid across restarts because their keys live in the data folder.
        // The keys are encrypted at rest under a key derived from the master key (see Crypto/DataProtectionKeyEncryption).
        services.AddDataProtection()
            .SetApplicationName("Ziggy.Secrets")
            .PersistKeysToFileSystem(new DirectoryInfo(DataFolder.DataProtectionKeysPath(dataFolder)));
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<Crypto.DataProtectionKeyProtector>((options, protector) => options.XmlEncryptor = new Crypto.MasterKeyXmlEncryptor(protector));
        return services;
    }

    /// <summary>Applies the checked-in migrations and switches the database to WAL.</summary>
    public static void MigrateZiggyDatabase(this IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
        db.Database.Migrate();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
    }
}
