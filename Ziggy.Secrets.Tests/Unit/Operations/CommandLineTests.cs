using Ziggy.Secrets.Web.Operations;

namespace Ziggy.Secrets.Tests.Unit.Operations;

/// <summary>The command line of the one binary: verbs, help, validation, suggestions, and no way to pass a token.</summary>
public sealed class CommandLineTests
{
    private const string Token = "zgs_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    private static (ParsedCommandLine Parsed, string Output, string Error) Parse(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var parsed = CommandLine.Parse(args, output, error);
        return (parsed, output.ToString(), error.ToString());
    }

    /// <summary>A usage error: exit code 2, nothing on standard output, one line naming the binary and the help to read.</summary>
    private static string AssertUsageError(string[] args, string expected)
    {
        var (parsed, output, error) = Parse(args);
        Assert.Null(parsed.Command);
        Assert.Equal(2, parsed.ExitCode);
        Assert.Equal("", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("ziggy-secrets: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.Contains("--help'.", lines[0]);
        return lines[0];
    }

    [Fact]
    public void Parse_Help_DescribesTheBinaryEveryCommandAndTheDefaultAddress()
    {
        var (parsed, output, error) = Parse("--help");

        Assert.Null(parsed.Command);
        Assert.Equal(0, parsed.ExitCode);
        Assert.Equal("", error);
        Assert.Contains("a self-hosted secrets manager", output);
        Assert.Contains("Usage:\n  ziggy-secrets [command] [options]", output);
        Assert.Contains("http://localhost:5080", output);
        Assert.DoesNotContain("5000", output);
        foreach (var verb in new[] { "serve", "verify", "rotate-key", "backup", "restore", "reset-password", "run <command>", "get <NAME>" })
            Assert.Contains("  " + verb, output);
        foreach (var setting in new[] { "ZIGGY_DATA_DIR", "ZIGGY_URLS", "ZIGGY_MASTER_KEY", "ZIGGY_MASTER_KEY_FILE", "ZIGGY_PUBLIC_URL", "ZIGGY_TOKEN", "ZIGGY_SERVER", "ZIGGY_TIMEOUT" })
            Assert.Contains(setting, output);
    }

    [Theory]
    [InlineData("serve", "Run the web app", "--urls <URLS>")]
    [InlineData("verify", "every stored value decrypts", "--help")]
    [InlineData("rotate-key", "re-encrypt every value", "--new-master-key-file <FILE>")]
    [InlineData("backup", "consistent copy of the SQLite database", "--to <FILE> (REQUIRED)")]
    [InlineData("restore", "Restore a backup into an empty data folder", "--from <FILE> (REQUIRED)")]
    [InlineData("reset-password", "one-time link", "--email <EMAIL> (REQUIRED)")]
    [InlineData("run", "start COMMAND with them added to its environment", "--keep-existing")]
    [InlineData("get", "no newline added", "--token-file <FILE>")]
    public void Parse_VerbHelp_SaysWhatTheVerbDoesAndItsOptions(string verb, string description, string option)
    {
        foreach (var help in new[] { "--help", "-h", "-?" })
        {
            var (parsed, output, error) = Parse(verb, help);

            Assert.Equal(0, parsed.ExitCode);
            Assert.Null(parsed.Command);
            Assert.Equal("", error);
            Assert.Contains(description, output);
            Assert.Contains($"Usage:\n  ziggy-secrets {verb}", output);
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public void Parse_HelpVerb_ReadsAsHelpOption()
    {
        var (root, rootOutput, _) = Parse("help");
        var (run, runOutput, _) = Parse("help", "run");

        Assert.Equal(0, root.ExitCode);
        Assert.Contains("Usage:\n  ziggy-secrets [command] [options]", rootOutput);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:\n  ziggy-secrets run", runOutput);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("get")]
    public void Parse_ClientVerbHelp_ListsTheEnvironmentAndExitCodesButNoTokenOption(string verb)
    {
        var (_, output, _) = Parse(verb, "--help");

        Assert.Contains("ZIGGY_TOKEN", output);
        Assert.Contains("ZIGGY_SERVER", output);
        Assert.Contains("7 server unreachable, 8 TLS failure", output);
        Assert.DoesNotContain("--token ", output);
        Assert.DoesNotContain("--token=", output);
    }

    [Fact]
    public void Parse_NoArguments_Serves()
    {
        var (parsed, _, _) = Parse();

        Assert.Equal("serve", parsed.Command!.Verb);
        Assert.Empty(parsed.Command.HostArgs);
    }

    [Theory]
    [InlineData(new[] { "--urls", "http://127.0.0.1:7000" }, new[] { "--urls", "http://127.0.0.1:7000" })]
    [InlineData(new[] { "serve", "--urls", "http://127.0.0.1:7000" }, new[] { "--urls", "http://127.0.0.1:7000" })]
    [InlineData(new[] { "serve", "--urls", "http://127.0.0.1:7000", "--environment", "Development" }, new[] { "--urls", "http://127.0.0.1:7000", "--environment", "Development" })]
    [InlineData(new[] { "--Ziggy:DataDir=/srv/ziggy" }, new[] { "--Ziggy:DataDir=/srv/ziggy" })]
    public void Parse_HostOptions_ReachTheWebHost(string[] args, string[] hostArgs)
    {
        var (parsed, _, error) = Parse(args);

        Assert.Equal("", error);
        Assert.Equal("serve", parsed.Command!.Verb);
        Assert.Equal(hostArgs, parsed.Command.HostArgs);
    }

    [Fact]
    public void Parse_OperatorVerbs_CarryTheirOptions()
    {
        Assert.Equal("/tmp/b.db", Parse("backup", "--to", "/tmp/b.db").Parsed.Command!.Option("--to"));
        Assert.Equal("/tmp/b.db", Parse("restore", "--from", "/tmp/b.db").Parsed.Command!.Option("--from"));
        Assert.Equal("ada@acme.test", Parse("reset-password", "--email", "ada@acme.test").Parsed.Command!.Option("--email"));
        var rotate = Parse("rotate-key", "--master", "--new-master-key-file", "new.key").Parsed.Command!;
        Assert.True(rotate.Flag("--master"));
        Assert.Equal("new.key", rotate.Option("--new-master-key-file"));
        Assert.False(Parse("rotate-key").Parsed.Command!.Flag("--master"));
        Assert.Equal("verify", Parse("verify").Parsed.Command!.Verb);
    }

    [Fact]
    public void Parse_Run_TakesEverythingAfterDoubleDashAsTheCommand()
    {
        var command = Parse("run", "--server", "https://s.example", "--keep-existing", "--token-file", "t", "--timeout", "5", "--", "node", "worker.js", "--port", "80", "-v").Parsed.Command!;

        Assert.Equal("run", command.Verb);
        Assert.Equal(["node", "worker.js", "--port", "80", "-v"], command.Arguments);
        Assert.Equal("https://s.example", command.Option("--server"));
        Assert.Equal("t", command.Option("--token-file"));
        Assert.Equal("5", command.Option("--timeout"));
        Assert.True(command.Flag("--keep-existing"));
        Assert.False(Parse("run", "--", "env").Parsed.Command!.Flag("--keep-existing"));
        Assert.Equal(["-weird-name"], Parse("run", "--", "-weird-name").Parsed.Command!.Arguments);
        Assert.Equal(["ls", "-la"], Parse("run", "ls", "-la").Parsed.Command!.Arguments);
    }

    [Fact]
    public void Parse_Get_TakesTheName()
    {
        var command = Parse("get", "STRIPE_API_KEY", "--server", "https://s.example").Parsed.Command!;

        Assert.Equal("get", command.Verb);
        Assert.Equal(["STRIPE_API_KEY"], command.Arguments);
        Assert.Equal("https://s.example", command.Option("--server"));
    }

    [Theory]
    [InlineData(new[] { "backup" }, "Option '--to' is required.")]
    [InlineData(new[] { "restore" }, "Option '--from' is required.")]
    [InlineData(new[] { "reset-password" }, "Option '--email' is required.")]
    [InlineData(new[] { "backup", "--to" }, "--to")]
    [InlineData(new[] { "rotate-key", "--master" }, "rotate-key --master needs --new-master-key-file FILE.")]
    [InlineData(new[] { "rotate-key", "--new-master-key-file", "k" }, "--new-master-key-file goes with --master.")]
    [InlineData(new[] { "backup", "--into", "x" }, "'--into'")]
    [InlineData(new[] { "verify", "now" }, "'now'")]
    [InlineData(new[] { "run", "--server", "https://s.example" }, "run needs a command to start, after --")]
    [InlineData(new[] { "run", "--server", "https://s.example", "--" }, "run needs a command to start, after --")]
    [InlineData(new[] { "run", "-la", "ls" }, "Unrecognized option '-la' for run.")]
    [InlineData(new[] { "get" }, "Required argument 'NAME' missing")]
    [InlineData(new[] { "get", "" }, "NAME must not be empty.")]
    [InlineData(new[] { "get", "A", "B" }, "'B'")]
    [InlineData(new[] { "serve", "now" }, "Unrecognized argument 'now': host settings are given as --Key value.")]
    [InlineData(new[] { "launch-rockets" }, "'launch-rockets'")]
    public void Parse_BadCommandLine_OneLineErrorAndExitCode2(string[] args, string expected)
    {
        AssertUsageError(args, expected);
    }

    [Theory]
    [InlineData("verfy", "verify", new[] { "verfy" })]
    [InlineData("rotate-keys", "rotate-key", new[] { "rotate-keys" })]
    [InlineData("bakup", "backup", new[] { "bakup", "--to", "x" })]
    [InlineData("--servr", "--server", new[] { "get", "X", "--servr", "https://s.example" })]
    [InlineData("--keep-exisitng", "--keep-existing", new[] { "run", "--keep-exisitng", "--", "env" })]
    [InlineData("--too", "--to", new[] { "backup", "--too", "x" })]
    public void Parse_Typo_SuggestsTheMeantWord(string typo, string meant, string[] args)
    {
        var line = AssertUsageError(args, $"Did you mean '{meant}'?");

        Assert.Contains($"'{typo}'", line);
    }

    [Theory]
    [InlineData("run", "--token", Token, "--", "env")]
    [InlineData("run", "--token=" + Token, "--", "env")]
    [InlineData("get", "X", "--token", Token)]
    [InlineData("get", "X", "-t", Token)]
    [InlineData("get", Token)]
    [InlineData("run", "--server", Token, "--", "env")]
    [InlineData("run", "--token-file", Token, "--", "env")]
    [InlineData("get", "X", "--server", "https://s.example", Token)]
    public void Parse_TokenAsAnArgument_RefusedWithoutRepeatingIt(params string[] args)
    {
        var (parsed, output, error) = Parse(args);

        Assert.Null(parsed.Command);
        Assert.Equal(2, parsed.ExitCode);
        Assert.Equal("", output);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("ZIGGY_TOKEN", error);
        Assert.DoesNotContain(Token[4..12], error);
    }

    [Fact]
    public void Parse_AnyUsageError_NeverRepeatsATokenShapedWord()
    {
        var (_, _, error) = Parse("verify", "--key", "zgs_" + "x");

        Assert.Contains("ZIGGY_TOKEN", error);
        Assert.DoesNotContain("zgs_x", error);
    }
}
