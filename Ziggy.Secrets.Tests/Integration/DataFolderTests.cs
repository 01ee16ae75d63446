using Microsoft.Data.Sqlite;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Tests.Integration;

public sealed class DataFolderTests
{
    [Fact]
    public async Task Start_DataFolderCannotBeCreated_ExitsWithOneClearErrorNamingThePath()
    {
        // A regular file where a folder must go: not creatable, even for root.
        var blocker = Path.Combine(Path.GetTempPath(), $"ziggy-blocker-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var dataFolder = Path.Combine(blocker, "data");
        try
        {
            var (exitCode, output) = AppProcess.Run(dataFolder);

            Assert.NotEqual(0, exitCode);
            var error = output.Trim();
            Assert.StartsWith($"Ziggy Secrets cannot use its data folder '{dataFolder}'", error);
            Assert.Single(error.Split('\n'));
            Assert.DoesNotContain("   at ", error);
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public async Task Start_FreshFolder_CreatesDatabaseInWalModeAndKeysInsideTheDataFolder()
    {
        using var app = new ZiggyAppFactory();
        await app.SetUpAsync();

        Assert.True(File.Exists(app.DatabasePath));
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "SELECT COUNT(*) FROM __EFMigrationsHistory;";
        Assert.True((long)(await command.ExecuteScalarAsync())! >= 1, "Migrations are applied at start-up.");
        Assert.True(Directory.Exists(Path.Combine(app.DataFolder, "keys")));
    }

    [Fact]
    public async Task Start_FreshFolder_FolderIsTheOwnersAloneAndSoIsEveryFileInIt()
    {
        if (OperatingSystem.IsWindows()) return;
        using var app = new ZiggyAppFactory();
        await app.SetUpAsync(); // a write: the WAL and the shared-memory file exist while the app holds the database open

        var files = Directory.EnumerateFiles(app.DataFolder, "*", SearchOption.AllDirectories).ToList();
        var names = files.Select(f => Path.GetRelativePath(app.DataFolder, f)).ToList();
        foreach (var expected in new[] { "ziggy.db", "ziggy.db-wal", "ziggy.db-shm", "master.key" }) Assert.Contains(expected, names);
        Assert.Contains(names, n => n.StartsWith("keys/", StringComparison.Ordinal) && n.EndsWith(".xml", StringComparison.Ordinal));
        Assert.Equal(DataFolder.FolderMode, File.GetUnixFileMode(app.DataFolder));
        Assert.Equal(DataFolder.FolderMode, File.GetUnixFileMode(DataFolder.DataProtectionKeysPath(app.DataFolder)));
        foreach (var file in files) Assert.True(File.GetUnixFileMode(file) == DataFolder.FileMode, $"{file}: {File.GetUnixFileMode(file)}");
        Assert.DoesNotContain(app.LogLines, l => l.Contains("can be used by other users", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_ExistingFolderOthersCanUse_WarnsNamingItAndTightensTheFilesInIt()
    {
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode Wide = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        var folder = Path.Combine(Path.GetTempPath(), "ziggy-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "keys"), Wide);
        File.SetUnixFileMode(folder, Wide);
        await File.WriteAllBytesAsync(DataFolder.DatabasePath(folder), []); // an empty file: SQLite makes it a new database
        File.SetUnixFileMode(DataFolder.DatabasePath(folder), Wide & ~UnixFileMode.UserExecute);

        using var app = new ZiggyAppFactory(folder);
        await app.SetUpAsync();

        var warning = Assert.Single(app.LogLines, l => l.Contains("can be used by other users", StringComparison.Ordinal));
        Assert.Contains($"'{folder}'", warning);
        Assert.Equal(Wide, File.GetUnixFileMode(folder));
        Assert.Equal(DataFolder.FileMode, File.GetUnixFileMode(DataFolder.DatabasePath(folder)));
        Assert.Equal(DataFolder.FileMode, File.GetUnixFileMode(DataFolder.DatabasePath(folder) + "-wal"));
        Assert.Equal(DataFolder.FolderMode, File.GetUnixFileMode(DataFolder.DataProtectionKeysPath(folder)));
    }
}
