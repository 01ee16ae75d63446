using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;
using Ziggy.Secrets.Web.Client;
using Ziggy.Secrets.Web.Hosting;

namespace Ziggy.Secrets.Web.Operations;

/// <summary>A verb with its options and arguments, as given on the command line.</summary>
public sealed record ZiggyCommand(string Verb, IReadOnlyDictionary<string, string?> Options, string[] HostArgs, string[] Arguments)
{
    public string? Option(string name) => Options.GetValueOrDefault(name);

    public bool Flag(string name) => Options.ContainsKey(name);
}

/// <summary>Either the command to run, or the exit code after help or a usage error was printed.</summary>
public sealed record ParsedCommandLine(ZiggyCommand? Command, int ExitCode);

/// <summary>
/// The commands of the one binary: <c>serve</c> (the default), the operator's tasks, and the client verbs <c>run</c> and
/// <c>get</c> that read secrets from a Ziggy server with an access token.
/// </summary>
public static partial class CommandLine
{
    public const string ExitName = "ziggy-secrets";

    private const string About = """
        Ziggy Secrets: a self-hosted secrets manager. Without a command it serves the web app (the same as 'serve'),
        by default on http://localhost:5080. The operator's commands work on the data folder of a stopped or running
        server; 'run' and 'get' are clients that read secrets from a Ziggy server with an access token.
        """;

    private const string ServerSettings = $"""
        Configuration (environment variables, or appsettings.json keys in brackets):
          ZIGGY_DATA_DIR         [Ziggy:DataDir]        Data folder (SQLite database, Data Protection keys, master.key). Default ./data
          ZIGGY_URLS             [Urls]                 Where to listen, e.g. http://127.0.0.1:5080 (wins over ASPNETCORE_URLS).
                                                        Default {ListeningAddress.Default}
          ZIGGY_PUBLIC_URL       [Ziggy:PublicUrl]      The address people open the app at, e.g. https://secrets.example.com: the base
                                                        of every link the app shows (invitations, password resets). Unset, the
                                                        browser completes a link with the address it is on.
          ZIGGY_MASTER_KEY       [Ziggy:MasterKey]      The 32-byte master key, base64.
          ZIGGY_MASTER_KEY_FILE  [Ziggy:MasterKeyFile]  A file holding the master key. Default <data folder>/master.key (created on first run)
          Ziggy__Integrations__AllowPrivateNetworks     Let integrations reach loopback and private addresses (default false).
          Ziggy__Integrations__TimeoutSeconds           Integration request time limit (default 30).
        """;

    private const string ClientSettings = """
        Environment:
          ZIGGY_TOKEN    The access token (zgs_...), made on the Integrations page. There is no option for it: a command
                         line is visible to every user of the machine. --token-file reads it from a file instead.
          ZIGGY_SERVER   The server's address when --server is not given. HTTPS, except on this machine (localhost,
                         127.0.0.1, ::1).
          ZIGGY_TIMEOUT  Seconds to wait for the server when --timeout is not given (default 30).

        Exit codes: 0 success (run: the command's own exit code), 2 usage error, 3 no token, 4 token refused,
        5 not allowed (out of scope, no longer allowed, network not allowed), 6 no value or no such secret,
        7 server unreachable, 8 TLS failure, 9 any other answer from the server.
        """;

    /// <summary>
    /// A verb, the options copied into <see cref="ZiggyCommand.Options"/> (a value, or null for a flag that is on) and the
    /// argument copied into <see cref="ZiggyCommand.Arguments"/>.
    /// </summary>
    private sealed record Verb(System.CommandLine.Command Command, Option[] Options, Argument? Arguments = null);

    /// <summary>Parses <paramref name="args"/>, printing help or a one-line usage error itself.</summary>
    public static ParsedCommandLine Parse(string[] args, TextWriter output, TextWriter error)
    {
        // `help` and `help VERB` read as --help, as they did before.
        if (args is ["help", .. var about]) args = [.. about, "--help"];

        // Without a command the binary serves; host options such as --urls may come straight away.
        if (args.Length == 0 || (args[0].StartsWith('-') && !IsHelpOrVersion(args[0]))) args = ["serve", .. args];

        if (TokenOnCommandLine(args) is { } tokenError) return UsageError(error, tokenError, args);

        var (root, verbs) = Build();
        var result = root.Parse(args);

        if (result.Action is HelpWithSettings || (result.Errors.Count == 0 && result.Action is SynchronousCommandLineAction))
        {
            var text = new StringWriter();
            result.Invoke(new InvocationConfiguration { Output = text, Error = error });
            // The usage line names the program as it is installed, also under `dotnet run`.
            output.Write(text.ToString().Replace($"  {RootCommand.ExecutableName} ", $"  {ExitName} ", StringComparison.Ordinal));
            return new ParsedCommandLine(null, 0);
        }

        var verb = verbs.FirstOrDefault(v => v.Command == result.CommandResult.Command);
        if (result.Errors.Count > 0 || verb is null)
        {
            var unmatched = result.UnmatchedTokens.FirstOrDefault();
            // The word that was not understood says more than what is then missing.
            var first = result.Errors.OrderBy(e => unmatched is not null && e.Message.Contains($"'{unmatched}'", StringComparison.Ordinal) ? 0 : 1)
                .Select(e => e.Message).FirstOrDefault() ?? "Name a command.";
            if (unmatched is not null && Suggest(unmatched, result.CommandResult.Command) is { } suggestion)
                first = $"{first.TrimEnd('.')}. Did you mean '{suggestion}'?";
            return UsageError(error, first, args);
        }

        var options = new Dictionary<string, string?>();
        foreach (var option in verb.Options)
        {
            var found = result.GetResult(option);
            if (found is null || found.Implicit) continue;
            if (option is Option<bool> flag)
            {
                if (result.GetValue(flag)) options[option.Name] = null;
            }
            else options[option.Name] = found.Tokens.Count > 0 ? found.Tokens[^1].Value : null;
        }

        var arguments = verb.Arguments switch
        {
            Argument<string[]> many => result.GetValue(many) ?? [],
            Argument<string> one => [result.GetValue(one)!],
            _ => [],
        };

        // The command's own options follow the command, after --; a word like an option before it is one of run's, mistyped.
        var dashDash = Array.IndexOf(args, "--");
        var beforeDashDash = dashDash < 0 ? arguments.Length : arguments.Length - (args.Length - dashDash - 1);
        if (verb.Command.Name == "run" && beforeDashDash > 0 && arguments[0].StartsWith('-'))
        {
            var message = $"Unrecognized option '{arguments[0]}' for run.";
            if (Suggest(arguments[0], verb.Command) is { } meant) message += $" Did you mean '{meant}'?";
            return UsageError(error, message + " The command to start goes after --.", args);
        }

        string[] hostArgs = [];
        if (verb.Command.Name == "serve")
        {
            var extra = result.UnmatchedTokens.ToArray();
            if (extra.FirstOrDefault(t => !t.StartsWith("--", StringComparison.Ordinal)) is { } stray && HostSettingsMalformed(extra))
                return UsageError(error, $"Unrecognized argument '{stray}': host settings are given as --Key value.", args);
            hostArgs = options.TryGetValue("--urls", out var urls) ? ["--urls", urls!, .. extra] : extra;
        }

        return new ParsedCommandLine(new ZiggyCommand(verb.Command.Name, options, hostArgs, arguments), 0);
    }

    private static bool IsHelpOrVersion(string arg) => arg is "-h" or "--help" or "-?" or "/h" or "/?" or "--version";

    /// <summary>Host settings after serve come as pairs: --Key value or --Key=value.</summary>
    private static bool HostSettingsMalformed(string[] tokens)
    {
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!tokens[i].StartsWith("--", StringComparison.Ordinal)) return true;
            if (!tokens[i].Contains('=')) i++;
        }

        return false;
    }

    /// <summary>
    /// Any attempt to hand a token over as an argument is refused before anything else, and the error never repeats it:
    /// a command line can be read by every user of the machine (ps, /proc).
    /// </summary>
    private static string? TokenOnCommandLine(string[] args)
    {
        var end = Array.IndexOf(args, "--");
        var ours = end < 0 ? args : args[..end];
        if (ours.Any(a => a is "--token" or "-t" || a.StartsWith("--token=", StringComparison.Ordinal)))
            return "There is no --token option: a token on the command line is visible to other users of the machine. Set ZIGGY_TOKEN or use --token-file FILE.";
        if (ours.Any(a => a.StartsWith(ClientToken.Prefix, StringComparison.Ordinal)))
            return "An access token was given as an argument, where other users of the machine can see it: revoke it, then pass the new one in ZIGGY_TOKEN or --token-file FILE.";
        return null;
    }

    private static ParsedCommandLine UsageError(TextWriter error, string message, string[] args)
    {
        var verb = args.Length > 0 && VerbNames.Contains(args[0]) ? args[0] + " " : "";
        error.WriteLine($"{ExitName}: {Redact(message)} See '{ExitName} {verb}--help'.");
        return new ParsedCommandLine(null, 2);
    }

    private static readonly string[] VerbNames = ["serve", "verify", "rotate-key", "backup", "restore", "reset-password", "run", "get"];

    /// <summary>The closest command or option name to a mistyped word, if one is close enough to be meant.</summary>
    private static string? Suggest(string typed, System.CommandLine.Command command)
    {
        var candidates = command.Subcommands.Select(c => c.Name)
            .Concat(command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)))
            .Where(name => name.Length > 2);
        return candidates
            .Select(name => (name, distance: Distance(typed.ToLowerInvariant(), name)))
            .Where(c => c.distance <= Math.Max(1, c.name.Length / 3))
            .OrderBy(c => c.distance)
            .Select(c => c.name)
            .FirstOrDefault();
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }

        return previous[b.Length];
    }

    private static string Redact(string text) => TokenPattern().Replace(text, ClientToken.Prefix + "…");

    [GeneratedRegex("zgs_[A-Za-z0-9_-]*")]
    private static partial Regex TokenPattern();

    private static (RootCommand Root, Verb[] Verbs) Build()
    {
        var root = new RootCommand(About);
        root.Directives.Clear();

        var serve = new System.CommandLine.Command("serve", $"Run the web app (the default when no command is given). Listens on {ListeningAddress.Default} unless ZIGGY_URLS, ASPNETCORE_URLS or --urls say otherwise.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen, e.g. http://127.0.0.1:5080 (default {ListeningAddress.Default}). Other host settings may follow as --Key value.",
            HelpName = "URLS",
        };
        serve.Options.Add(urls);

        var verify = new System.CommandLine.Command("verify",
            "Check the database and that every stored value decrypts under the current keys. Prints counts per organization and environment, never a value. Exit code 1 on any failure.");

        var master = new Option<bool>("--master") { Description = "Also re-wrap the data keys under a new master key (needs --new-master-key-file)." };
        var masterFile = new Option<string>("--new-master-key-file") { Description = "The new master key: 32 bytes, base64, in FILE.", HelpName = "FILE" };
        var rotate = new System.CommandLine.Command("rotate-key",
            "Create a new data key and re-encrypt every value under it, in batches. Safe while the server runs; running it again after an interruption finishes the job.")
        {
            master, masterFile,
        };
        rotate.Validators.Add(r =>
        {
            var withMaster = r.GetValue(master);
            var file = r.GetResult(masterFile);
            if (withMaster && file is null) r.AddError("rotate-key --master needs --new-master-key-file FILE.");
            if (!withMaster && file is not null) r.AddError("--new-master-key-file goes with --master.");
        });

        var to = new Option<string>("--to") { Description = "Where to write the copy.", HelpName = "FILE", Required = true };
        var backup = new System.CommandLine.Command("backup",
            "Write a consistent copy of the SQLite database, safe while the server runs. The master key is never in it: keep it separately.") { to };

        var from = new Option<string>("--from") { Description = "The backup to restore.", HelpName = "FILE", Required = true };
        var restore = new System.CommandLine.Command("restore", "Restore a backup into an empty data folder.") { from };

        var email = new Option<string>("--email") { Description = "The account's email address.", HelpName = "EMAIL", Required = true };
        var reset = new System.CommandLine.Command("reset-password",
            "Print a one-time link (valid for one hour) that sets a new password, lifts a lockout and ends the account's sessions.") { email };

        var (runServer, runTokenFile, runTimeout) = ClientOptions();
        var keepExisting = new Option<bool>("--keep-existing") { Description = "Variables already set in the environment win over the secrets of the same name." };
        var commandToRun = new Argument<string[]>("command")
        {
            Description = "The command and its arguments, after --. It is started directly, not through a shell.",
            Arity = ArgumentArity.OneOrMore,
        };
        var run = new System.CommandLine.Command("run",
            "Fetch every secret the access token may read and start COMMAND with them added to its environment. Signals (INT, TERM, HUP, QUIT) are passed on to it, and its exit code is returned. Nothing is written to disk.")
        {
            runServer, runTokenFile, runTimeout, keepExisting, commandToRun,
        };
        run.Validators.Add(r =>
        {
            if (r.GetValue(commandToRun) is not { Length: > 0 }) r.AddError("run needs a command to start, after --: run --server URL -- COMMAND [ARGS...]");
        });

        var (getServer, getTokenFile, getTimeout) = ClientOptions();
        var name = new Argument<string>("NAME") { Description = "The secret's name." };
        name.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (string.IsNullOrWhiteSpace(value)) r.AddError("NAME must not be empty.");
        });
        var get = new System.CommandLine.Command("get", "Print one secret's value to standard output, with no newline added.")
        {
            getServer, getTokenFile, getTimeout, name,
        };

        foreach (var command in new[] { serve, verify, rotate, backup, restore, reset, run, get }) root.Subcommands.Add(command);
        foreach (var option in root.Options.OfType<HelpOption>())
        {
            option.Action = new HelpWithSettings(option.Action, new Dictionary<System.CommandLine.Command, string>
            {
                [root] = ServerSettings + "\n\n" + ClientSettings, [serve] = ServerSettings, [run] = ClientSettings, [get] = ClientSettings,
            });
        }

        return (root,
        [
            new Verb(serve, [urls]), new Verb(verify, []), new Verb(rotate, [master, masterFile]), new Verb(backup, [to]),
            new Verb(restore, [from]), new Verb(reset, [email]),
            new Verb(run, [runServer, runTokenFile, runTimeout, keepExisting], commandToRun),
            new Verb(get, [getServer, getTokenFile, getTimeout], name),
        ]);
    }

    private static (Option<string> Server, Option<string> TokenFile, Option<string> Timeout) ClientOptions() =>
    (
        new Option<string>("--server") { Description = "The Ziggy server, e.g. https://secrets.example.com (or ZIGGY_SERVER).", HelpName = "URL" },
        new Option<string>("--token-file") { Description = "Read the access token from FILE instead of ZIGGY_TOKEN (one trailing newline is ignored).", HelpName = "FILE" },
        new Option<string>("--timeout") { Description = "Seconds to wait for the server (or ZIGGY_TIMEOUT; default 30).", HelpName = "SECONDS" }
    );

    /// <summary>The standard help, then the settings (environment variables) that apply to the command asked about.</summary>
    private sealed class HelpWithSettings(CommandLineAction? standard, Dictionary<System.CommandLine.Command, string> settings)
        : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            if (standard is SynchronousCommandLineAction help) help.Invoke(parseResult);
            if (settings.TryGetValue(parseResult.CommandResult.Command, out var text))
                parseResult.InvocationConfiguration.Output.WriteLine(text.TrimEnd());
            return 0;
        }
    }
}
