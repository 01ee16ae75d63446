using System.Diagnostics;
using Npgsql;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// The PostgreSQL server of a test run. By default a throwaway cluster of this test process: made with initdb in a
/// temp folder and started on first use, on a free port with trust authentication, then stopped and deleted when the
/// process exits. It needs PostgreSQL's binaries (initdb, pg_ctl): the newest /usr/lib/postgresql/&lt;version&gt;/bin,
/// else a folder on PATH; ZIGGY_TEST_POSTGRES_BIN names another folder. Without them the PostgreSQL tests are skipped
/// (see <see cref="RequiresPostgresAttribute"/>), unless ZIGGY_REQUIRE_POSTGRES=1 (CI), where they run and fail.
/// ZIGGY_TEST_POSTGRES, a connection string (no database), uses that server instead and starts nothing.
/// </summary>
public static class TestPostgres
{
    private static readonly string? ServerOverride = Variable("ZIGGY_TEST_POSTGRES");
    private static readonly bool Required = Environment.GetEnvironmentVariable("ZIGGY_REQUIRE_POSTGRES") == "1";
    private static readonly string? BinFolder = FindBinFolder();
    private static readonly Lazy<Cluster> Throwaway = new(Cluster.Start);

    /// <summary>Why the PostgreSQL tests cannot run here, or null when they run (or must, and then fail loudly).</summary>
    public static string? SkipReason => ServerOverride is null && BinFolder is null && !Required
        ? "PostgreSQL's initdb and pg_ctl were not found (apt-get install postgresql, or set ZIGGY_TEST_POSTGRES to a server). Set ZIGGY_REQUIRE_POSTGRES=1 to make this a failure."
        : null;

    /// <summary>The server's connection string without a database; the first call starts the throwaway cluster.</summary>
    public static string ServerConnectionString => ServerOverride ?? Throwaway.Value.ConnectionString;

    public static string ConnectionString(string database) => new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database }.ToString();

    public static void DropDatabase(string database)
    {
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
        command.ExecuteNonQuery();
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static string? FindBinFolder()
    {
        if (Variable("ZIGGY_TEST_POSTGRES_BIN") is { } chosen) return HasBinaries(chosen) ? chosen : null;
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), out var number) ? number : 0, Bin: Path.Combine(version, "bin")))
                .OrderByDescending(folder => folder.Version)
                .Select(folder => folder.Bin)
            : [];
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return debian.Concat(path).FirstOrDefault(HasBinaries);
    }

    private static bool HasBinaries(string folder) => File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl"));

    private sealed class Cluster
    {
        // initdb refuses to run as root: a root test process runs the binaries as the postgres user.
        private static readonly bool AsPostgresUser = Environment.UserName == "root";

        private readonly string _folder;
        private readonly StreamWriter _cleanup;
        private int _port;

        private Cluster(string folder)
        {
            _folder = folder;
            _cleanup = StartCleanup();
        }

        private string DataFolder => Path.Combine(_folder, "data");

        public string ConnectionString => new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = _port, Username = "postgres", Timeout = 15 }.ToString();

        public static Cluster Start()
        {
            if (BinFolder is null)
                throw new InvalidOperationException("PostgreSQL is required (ZIGGY_REQUIRE_POSTGRES=1) but initdb and pg_ctl were not found: " +
                                                    "apt-get install postgresql, set ZIGGY_TEST_POSTGRES_BIN to their folder, or ZIGGY_TEST_POSTGRES to a server.");
            // Short, so that the Unix socket's path inside it stays under the 107-byte limit.
            var folder = Path.Combine(Path.GetTempPath(), "ziggy-pg-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(folder);
            var cluster = new Cluster(folder);
            try
            {
                if (AsPostgresUser) Run("chown", "postgres", folder);
                cluster.Postgres("initdb", "-D", cluster.DataFolder, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
                // A port free when asked may be taken before the server binds it: try a few.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        cluster.Launch(Ports.Free());
                        return cluster;
                    }
                    catch (InvalidOperationException) when (attempt < 3)
                    {
                    }
                }
            }
            catch
            {
                cluster._cleanup.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Starts the process that stops the cluster (pg_ctl stop -m immediate) and deletes its folder once this process
        /// has exited, which it sees as the end of its standard input: that happens however this process ends. The test
        /// host cannot do it itself: VSTest kills it soon after the last test, and a killed process runs no exit handler.
        /// setsid keeps the cleanup out of this process's tree and terminal signals, so it outlives both.
        /// </summary>
        private StreamWriter StartCleanup()
        {
            string[] stop = [Path.Combine(BinFolder!, "pg_ctl"), "-D", DataFolder, "-m", "immediate", "-w", "stop"];
            var start = new ProcessStartInfo("setsid",
            [
                "-f", "sh", "-c", "cat >/dev/null; folder=$1; shift; \"$@\" >/dev/null 2>&1; rm -rf \"$folder\"", "sh", _folder,
                .. AsPostgresUser ? ["runuser", "-u", "postgres", "--", .. stop] : stop,
            ])
            {
                RedirectStandardInput = true,
            };
            // Not disposed: disposing the process would close the pipe, the cleanup's signal.
            return Process.Start(start)!.StandardInput;
        }

        private void Launch(int port)
        {
            _port = port;
            var log = Path.Combine(_folder, "server.log");
            try
            {
                // Durability is pointless for a cluster deleted at exit: without fsync, migrations and saves are much faster.
                Postgres("pg_ctl", "-D", DataFolder, "-l", log, "-w", "-t", "60", "-o",
                    $"-p {port} -k {_folder} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                    "start");
            }
            catch (InvalidOperationException e) when (File.Exists(log))
            {
                throw new InvalidOperationException(e.Message + "\nServer log:\n" + File.ReadAllText(log), e);
            }
        }

        private void Postgres(string program, params string[] args)
        {
            var path = Path.Combine(BinFolder!, program);
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
}
