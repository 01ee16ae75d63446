using Microsoft.Data.Sqlite;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Operations;

/// <summary>
/// Backup and restore of the SQLite database with SQLite's online backup API: a consistent snapshot even while the
/// server writes. The master key is never part of it.
/// </summary>
public static class BackupCommands
{
    public static int Backup(string dataFolder, string target, TextWriter output, TextWriter error)
    {
        var source = DataFolder.DatabasePath(dataFolder);
        if (!File.Exists(source))
        {
            error.WriteLine($"There is no database to back up in '{dataFolder}'.");
            return 1;
        }

        target = Path.GetFullPath(target);
        if (File.Exists(target))
        {
            error.WriteLine($"'{target}' already exists: choose a new file name.");
            return 1;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            // A copy of the data is the owner's alone, like the data folder itself.
            DataFolder.CreateFile(target);
            using var from = new SqliteConnection($"Data Source={source};Mode=ReadOnly;Pooling=False");
            using var to = new SqliteConnection($"Data Source={target};Pooling=False");
            from.Open();
            to.Open();
            from.BackupDatabase(to);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"The backup to '{target}' failed: {e.Message}");
            return 1;
        }

        output.WriteLine($"Backed up the database to {target}. It does not contain the master key: keep that separately.");
        return 0;
    }

    public static int Restore(string dataFolder, string source, TextWriter output, TextWriter error)
    {
        source = Path.GetFullPath(source);
        var target = DataFolder.DatabasePath(dataFolder);
        if (!File.Exists(source))
        {
            error.WriteLine($"The backup file '{source}' does not exist.");
            return 1;
        }

        if (File.Exists(target))
        {
            error.WriteLine($"The data folder '{dataFolder}' already has a database: restore only into an empty data folder.");
            return 1;
        }

        try
        {
            using var from = new SqliteConnection($"Data Source={source};Mode=ReadOnly;Pooling=False");
            using var to = new SqliteConnection($"Data Source={target};Pooling=False");
            from.Open();
            using (var check = from.CreateCommand())
            {
                check.CommandText = "PRAGMA integrity_check;";
                if (check.ExecuteScalar() as string != "ok")
                {
                    error.WriteLine($"'{source}' is not a healthy Ziggy Secrets backup (integrity check failed).");
                    return 1;
                }
            }

            DataFolder.CreateFile(target);
            to.Open();
            from.BackupDatabase(to);
        }
        catch (SqliteException e)
        {
            error.WriteLine($"'{source}' cannot be restored: {e.Message}");
            if (File.Exists(target)) File.Delete(target);
            return 1;
        }

        output.WriteLine($"Restored {source} into {dataFolder}. Start the server with the master key the backup was made with.");
        return 0;
    }
}
