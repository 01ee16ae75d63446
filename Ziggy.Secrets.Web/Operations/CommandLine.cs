namespace Ziggy.Secrets.Web.Operations;

/// <summary>A verb and its options, as given on the command line.</summary>
public sealed record ZiggyCommand(string Verb, IReadOnlyDictionary<string, string?> Options, string[] HostArgs)
{
    public string? Option(string name) => Options.GetValueOrDefault(name);

    public bool Flag(string name) => Options.ContainsKey(name);
}

/// <summary>The commands of the one binary: <c>serve</c> (default) and the operator's tasks.</summary>
public static class CommandLine
{
    public const string Usage = """
        Usage: ziggy-secrets [command] [options]
               dotnet run --project Ziggy.Secrets.Web -- [command] [options]

        Commands:
          serve                          Run the web app (the default).
          verify                         Check the database and that every stored value decrypts under the current keys.
                                         Prints counts per organization and environment, never a value. Exit code 1 on any failure.
          rotate-key                     Create a new data key and re-encrypt every value under it, in batches. Safe while the
                                         server runs; running it again after an interruption finishes the job.
            --master --new-master-key-file FILE
                                         Also re-wrap the data keys under the new master key in FILE (32 bytes, base64).
          backup --to FILE               A consistent copy of the SQLite database, safe while the server runs.
                                         The master key is never in it: keep it separately.
          restore --from FILE            Restore a backup into an empty data folder.
          reset-password --email EMAIL   Print a one-time link (valid for one hour) that sets a new password and lifts a lockout.
          --help                         Show this help.

        Configuration (environment variables, or appsettings.json keys in brackets):
          ZIGGY_DATA_DIR         [Ziggy:DataDir]        Data folder (SQLite database, Data Protection keys, master.key). Default ./data
          ZIGGY_URLS             [Urls]                 Where to listen, e.g. http://127.0.0.1:5080. Default http://localhost:5080
          ZIGGY_PUBLIC_URL       [Ziggy:PublicUrl]      The address people open the app at, e.g. https://secrets.example.com: the base
                                                        of every link the app shows (invitations, password resets). Unset, the
                                                        browser completes a link with the address it is on.
          ZIGGY_MASTER_KEY       [Ziggy:MasterKey]      The 32-byte master key, base64.
          ZIGGY_MASTER_KEY_FILE  [Ziggy:MasterKeyFile]  A file holding the master key. Default <data folder>/master.key (created on first run)
          Ziggy__Integrations__AllowPrivateNetworks     Let integrations reach loopback and private addresses (default false).
          Ziggy__Integrations__TimeoutSeconds           Integration request time limit (default 30).
        """;

    private static readonly Dictionary<string, string[]> Verbs = new()
    {
        ["serve"] = [],
        ["verify"] = [],
        ["rotate-key"] = ["--master", "--new-master-key-file"],
        ["backup"] = ["--to"],
        ["restore"] = ["--from"],
        ["reset-password"] = ["--email"],
    };

    private static readonly HashSet<string> Flags = ["--master"];

    /// <summary>Answers the command, or an error line (then the caller prints the usage and exits non-zero).</summary>
    public static (ZiggyCommand? Command, string? Error) Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) && args[0] != "--help")
            return (new ZiggyCommand("serve", new Dictionary<string, string?>(), args), null); // host options such as --urls
        if (args[0] is "--help" or "-h" or "help") return (new ZiggyCommand("help", new Dictionary<string, string?>(), []), null);
        if (!Verbs.TryGetValue(args[0], out var allowed)) return (null, $"Unknown command '{args[0]}'.");
        if (args[0] == "serve") return (new ZiggyCommand("serve", new Dictionary<string, string?>(), args[1..]), null);

        var options = new Dictionary<string, string?>();
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            if (!allowed.Contains(name)) return (null, $"Unknown option '{name}' for {args[0]}.");
            if (Flags.Contains(name))
            {
                options[name] = null;
                continue;
            }

            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)) return (null, $"{name} needs a value.");
            options[name] = args[++i];
        }

        var required = args[0] switch
        {
            "backup" => "--to",
            "restore" => "--from",
            "reset-password" => "--email",
            "rotate-key" when options.ContainsKey("--master") => "--new-master-key-file",
            _ => null,
        };
        if (required is not null && !options.ContainsKey(required)) return (null, $"{args[0]} needs {required}.");
        if (options.ContainsKey("--new-master-key-file") && !options.ContainsKey("--master"))
            return (null, "--new-master-key-file goes with --master.");
        return (new ZiggyCommand(args[0], options, []), null);
    }
}
