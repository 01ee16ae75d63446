namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// Everything the instance writes lives in one folder: the SQLite database, the Data Protection keys and the
/// master key file. Default <c>./data</c>; <c>ZIGGY_DATA_DIR</c> or <c>Ziggy:DataDir</c> move it.
/// </summary>
public static class DataFolder
{
    public const string ConfigurationKey = "Ziggy:DataDir";
    public const string EnvironmentVariable = "ZIGGY_DATA_DIR";

    public static string Resolve(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey];
        if (string.IsNullOrWhiteSpace(configured)) configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(configured)) configured = "data";
        return Path.GetFullPath(configured);
    }

    /// <summary>Creates the folder and proves it is writable; returns a one-line error naming the path, or null.</summary>
    public static string? Prepare(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return $"Ziggy Secrets cannot use its data folder '{path}': {e.Message} " +
                   $"Set {EnvironmentVariable} to a folder this user can create and write.";
        }
    }

    /// <summary>True when the folder's database already holds data keys (so its master key must not be replaced).</summary>
    public static bool HoldsEncryptedData(string dataFolder, IConfiguration configuration)
    {
        // On PostgreSQL a replaced key still cannot open the data keys: the start stops with the mismatch message.
        if (DatabaseSettings.From(configuration).Settings is { IsPostgres: true }) return false;
        var path = DatabasePath(dataFolder);
        if (!File.Exists(path)) return false;
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'DataKeys'";
        if ((long)command.ExecuteScalar()! == 0) return false;
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM DataKeys)";
        return (long)command.ExecuteScalar()! == 1;
    }

    public static string DatabasePath(string dataFolder) => Path.Combine(dataFolder, "ziggy.db");

    public static string DataProtectionKeysPath(string dataFolder) => Path.Combine(dataFolder, "keys");
}
