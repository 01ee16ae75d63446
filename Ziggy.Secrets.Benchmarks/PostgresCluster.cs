using System.Diagnostics;
using Npgsql;

namespace Ziggy.Secrets.Benchmarks;

/// <summary>
/// A throwaway PostgreSQL cluster of this benchmark run: made with initdb in a temp folder, started with pg_ctl on a free
/// loopback port with trust authentication, stopped and deleted on dispose. It uses the newest
/// /usr/lib/postgresql/&lt;version&gt;/bin (Debian's postgresql package). As root, the binaries run as the postgres user.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private static readonly bool AsPostgresUser = Environment.UserName == "root";
    private readonly string _folder;
    private readonly string _bin;

    private PostgresCluster(string folder, string bin, int port)
    {
        _folder = folder;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Timeout = 15 }.ToString();

    public static PostgresCluster Start()
    {
        var bin = (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [])
            .Select(v => (Version: int.TryParse(Path.GetFileName(v), out var n) ? n : 0, Bin: Path.Combine(v, "bin")))
            .OrderByDescending(v => v.Version).Select(v => v.Bin).FirstOrDefault(b => File.Exists(Path.Combine(b, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL's initdb and pg_ctl were not found under /usr/lib/postgresql (apt-get install postgresql).");
        // Short, so that the Unix socket's path inside it stays under the 107-byte limit.
        var folder = Path.Combine(Path.GetTempPath(), "ziggy-bpg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        if (AsPostgresUser) Run("chown", "postgres", folder);
        var port = AppHttp.FreePort();
        var cluster = new PostgresCluster(folder, bin, port);
        cluster.Postgres("initdb", "-D", Path.Combine(folder, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
        // Durable as a server is by default (fsync on): the figures are a real server's, not a throwaway one's.
        cluster.Postgres("pg_ctl", "-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o",
            $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=300", "start");
        return cluster;
    }

    public void CreateDatabase(string name)
    {
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\"";
        command.ExecuteNonQuery();
    }

    public double DatabaseMb(string name)
    {
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT pg_database_size('{name}')";
        return Convert.ToDouble(command.ExecuteScalar()) / 1024 / 1024;
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            Postgres("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "fast", "-w", "stop");
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private void Postgres(string program, params string[] args)
    {
        var path = Path.Combine(_bin, program);
        if (AsPostgresUser) Run("runuser", ["-u", "postgres", "--", path, .. args]);
        else Run(path, args);
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}:\n{stdout.Result}{stderr.Result}");
    }
}
