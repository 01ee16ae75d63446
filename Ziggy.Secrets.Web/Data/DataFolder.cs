namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// Everything the instance writes lives in one folder: the SQLite database, the Data Protection keys and the
/// master key file. Default <c>./data</c>; <c>ZIGGY_DATA_DIR</c> or <c>Ziggy:DataDir</c> move it. Only the service's
/// own user may read it: the folder is created 0700 and every file in it is 0600.
/// </summary>
public static class DataFolder
{
    /// <summary>rwx for the owner only.</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rw for the owner only.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

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
            CreateFolder(path);
            CreateFolder(DataProtectionKeysPath(path));
            var probe = Path.Combine(path, $".write-test-{Guid.NewGuid():N}");
            CreateFile(probe);
            File.Delete(probe);
            TightenFiles(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return $"Ziggy Secrets cannot use its data folder '{path}': {e.Message} " +
                   $"Set {EnvironmentVariable} to a folder this user can create and write.";
        }
    }

    /// <summary>
    /// A warning naming the folder when others than its owner may read, write or enter it (a folder that existed before, or
    /// was made by someone else); null when it is the owner's alone. The folder's mode is left as the operator set it.
    /// </summary>
    public static string? WideModeWarning(string path)
    {
        if (OperatingSystem.IsWindows()) return null;
        var mode = File.GetUnixFileMode(path);
        return (mode & GroupOrOther) == 0 ? null
            : $"The data folder '{path}' can be used by other users of this machine (mode {Octal(mode)}): it holds the database and the keys " +
              $"that protect the sessions. Make it the service user's alone: chmod 700 '{path}'.";
    }

    /// <summary>Creates a folder (and any missing parents) that only its owner may use.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, FolderMode);
    }

    /// <summary>
    /// Creates an empty file that only its owner may read and write, unless it exists. Before SQLite opens a new database:
    /// SQLite gives its WAL, shared-memory and journal files the mode of the database file, so they are the owner's alone too.
    /// </summary>
    public static void CreateFile(string path)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        using var stream = new FileStream(path, options);
    }

    /// <summary>Takes group and other permissions away from files already in the folder (left by an earlier version).</summary>
    private static void TightenFiles(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (var file in Directory.EnumerateFiles(path).Concat(Directory.EnumerateFiles(DataProtectionKeysPath(path))))
        {
            if ((File.GetUnixFileMode(file) & GroupOrOther) != 0) File.SetUnixFileMode(file, FileMode);
        }

        var keys = DataProtectionKeysPath(path);
        if ((File.GetUnixFileMode(keys) & GroupOrOther) != 0) File.SetUnixFileMode(keys, FolderMode);
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');

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
