using Microsoft.Data.Sqlite;
using Ziggy.Secrets.Tests.Support;

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
}
