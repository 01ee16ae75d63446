using System.Diagnostics;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Client;

namespace Ziggy.Secrets.Tests.Integration.Client;

/// <summary>
/// The client verbs as a worker or a CI job runs them: the built app as a real process, against a stand-in server that
/// speaks the machine API contract, with no data folder, master key or database.
/// </summary>
public sealed class ClientVerbTests : IAsyncLifetime
{
    private const string Token = MachineApiStub.ValidToken;

    private MachineApiStub _stub = null!;

    public async Task InitializeAsync()
    {
        _stub = await MachineApiStub.StartAsync();
        _stub.Secrets["STRIPE_API_KEY"] = "sk_live_CANARY-4f9a1c";
        _stub.Secrets["DATABASE_URL"] = "postgres://app:pa ss=word@db:5432/app?x=1&y=2";
        _stub.Secrets["MULTI_LINE"] = "-----BEGIN KEY-----\nCANARY line two\n-----END KEY-----\n";
        _stub.Secrets["UNICODE"] = "päss-wörd-✓";
    }

    public async Task DisposeAsync() => await _stub.DisposeAsync();

    private Dictionary<string, string> WithToken(params (string Name, string Value)[] more)
    {
        var environment = new Dictionary<string, string> { ["ZIGGY_TOKEN"] = Token };
        foreach (var (name, value) in more) environment[name] = value;
        return environment;
    }

    /// <summary>The child's environment, as /usr/bin/env -0 prints it (NUL-separated, so values may hold newlines).</summary>
    private static Dictionary<string, string> Environ(string output) =>
        output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Select(entry => entry.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    /// <summary>A failure: its exit code, one line on stderr naming the binary, no token, no value, nothing on stdout.</summary>
    private void AssertFailure(ClientResult result, int exitCode, string expected)
    {
        Assert.True(exitCode == result.ExitCode, $"exit {result.ExitCode}, expected {exitCode}; stderr: {result.Stderr}");
        Assert.Equal("", result.Stdout);
        Assert.EndsWith("\n", result.Stderr);
        var lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("ziggy-secrets: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain(Token[4..], result.Stderr);
        foreach (var value in _stub.Secrets.Values) Assert.DoesNotContain(value.Split('\n')[0], result.Stderr);
        Assert.Empty(result.FilesLeft);
    }

    [Fact]
    public async Task Run_EnvChild_SeesExactlyTheScopedValuesAndNotTheToken()
    {
        var result = await ClientProcess.RunAsync(WithToken(("STRIPE_API_KEY", "already-set")), "run", "--server", _stub.BaseUrl, "--", "/usr/bin/env", "-0");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stderr);
        var environ = Environ(result.Stdout);
        foreach (var (name, value) in _stub.Secrets) Assert.Equal(value, environ[name]);
        Assert.Equal(_stub.Secrets.Keys.Order(), environ.Where(e => _stub.Secrets.ContainsValue(e.Value)).Select(e => e.Key).Order());
        Assert.False(environ.ContainsKey("ZIGGY_TOKEN"), "The command gets the values, not the token.");
        Assert.DoesNotContain(Token[4..], result.Stdout);
        Assert.Empty(result.FilesLeft);
        var (path, authorization) = Assert.Single(_stub.Received);
        Assert.Equal("/api/v1/secrets", path);
        Assert.Equal("Bearer " + Token, authorization);
    }

    [Fact]
    public async Task ClientVerbs_ServerSettingsUnusable_StillWorkWithoutDataFolderOrMasterKey()
    {
        var environment = WithToken(("ZIGGY_DATA_DIR", "/proc/no-data-folder-here"), ("ZIGGY_MASTER_KEY", "not-a-key"),
            ("Ziggy__Database__Provider", "Postgres"));

        var result = await ClientProcess.RunAsync(environment, "get", "STRIPE_API_KEY", "--server", _stub.BaseUrl);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(_stub.Secrets["STRIPE_API_KEY"], result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Run_KeepExisting_VariablesAlreadySetWin()
    {
        var environment = WithToken(("STRIPE_API_KEY", "from-the-environment"));

        var kept = await ClientProcess.RunAsync(environment, "run", "--server", _stub.BaseUrl, "--keep-existing", "--", "/usr/bin/env", "-0");
        var replaced = await ClientProcess.RunAsync(environment, "run", "--server", _stub.BaseUrl, "--", "/usr/bin/env", "-0");

        Assert.Equal(0, kept.ExitCode);
        Assert.Equal("from-the-environment", Environ(kept.Stdout)["STRIPE_API_KEY"]);
        Assert.Equal(_stub.Secrets["DATABASE_URL"], Environ(kept.Stdout)["DATABASE_URL"]);
        Assert.Equal(0, replaced.ExitCode);
        Assert.Equal(_stub.Secrets["STRIPE_API_KEY"], Environ(replaced.Stdout)["STRIPE_API_KEY"]);
    }

    [Theory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 1", 1)]
    [InlineData("exit 42", 42)]
    [InlineData("exit 255", 255)]
    [InlineData("kill -KILL $$", 128 + 9)]
    [InlineData("kill -TERM $$", 128 + 15)]
    public async Task Run_ChildExits_ItsExitCodeComesBack(string script, int exitCode)
    {
        var result = await ClientProcess.RunAsync(WithToken(), "run", "--server", _stub.BaseUrl, "--", "/bin/sh", "-c", script);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Run_ArgumentsReachTheCommandAsGivenWithoutAShell()
    {
        var result = await ClientProcess.RunAsync(WithToken(), "run", "--server", _stub.BaseUrl, "--",
            "/usr/bin/printf", "%s|", "$STRIPE_API_KEY", "a b", "--server", "'quoted'", "; echo injected");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("$STRIPE_API_KEY|a b|--server|'quoted'|; echo injected|", result.Stdout);
    }

    [Theory]
    [InlineData("TERM", 15)]
    [InlineData("INT", 2)]
    [InlineData("HUP", 1)]
    [InlineData("QUIT", 3)]
    public async Task Run_SignalToRun_ReachesTheChild(string signal, int number)
    {
        var folder = Directory.CreateTempSubdirectory("ziggy-client-").FullName;
        try
        {
            using var run = ClientProcess.Start(WithToken(), folder, "run", "--server", _stub.BaseUrl, "--", "/bin/sh", "-c",
                $"trap 'echo got-{signal}; exit {number + 100}' {signal}; echo ready; while true; do sleep 0.05; done");
            var stderr = run.StandardError.ReadToEndAsync();
            Assert.Equal("ready", await ReadLineAsync(run.StandardOutput));

            using (var kill = Process.Start("/bin/kill", ["-" + signal, run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();

            Assert.Equal($"got-{signal}", await ReadLineAsync(run.StandardOutput));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await run.WaitForExitAsync(timeout.Token);
            Assert.Equal(number + 100, run.ExitCode);
            Assert.Equal("", await stderr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        static async Task<string?> ReadLineAsync(StreamReader reader)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await reader.ReadLineAsync(timeout.Token);
        }
    }

    [Fact]
    public async Task Run_CommandNotFound_127AndOneLine()
    {
        var result = await ClientProcess.RunAsync(WithToken(), "run", "--server", _stub.BaseUrl, "--", "no-such-command-ziggy");

        AssertFailure(result, RunCommand.CommandNotFound, "Cannot start 'no-such-command-ziggy': no such command.");
    }

    [Fact]
    public async Task Get_PrintsTheValueWithoutNewline()
    {
        var multiLine = await ClientProcess.RunAsync(WithToken(), "get", "MULTI_LINE", "--server", _stub.BaseUrl);
        var unicode = await ClientProcess.RunAsync(WithToken(), "get", "UNICODE", "--server", _stub.BaseUrl);

        Assert.Equal(0, multiLine.ExitCode);
        Assert.Equal(_stub.Secrets["MULTI_LINE"], multiLine.Stdout);
        Assert.Equal("", multiLine.Stderr);
        Assert.Equal(_stub.Secrets["UNICODE"], unicode.Stdout);
        Assert.Empty(unicode.FilesLeft);
        Assert.Equal(["/api/v1/secrets/MULTI_LINE", "/api/v1/secrets/UNICODE"], _stub.Received.Select(r => r.RawPath));
    }

    [Theory]
    [InlineData("A B", "/api/v1/secrets/A%20B")]
    [InlineData("../../admin", "/api/v1/secrets/..%2F..%2Fadmin")]
    [InlineData("X?all=1#f", "/api/v1/secrets/X%3Fall%3D1%23f")]
    [InlineData("%2e%2e", "/api/v1/secrets/%252e%252e")]
    public async Task Get_NameIsEscapedIntoOnePathSegment(string name, string rawPath)
    {
        var result = await ClientProcess.RunAsync(WithToken(), "get", name, "--server", _stub.BaseUrl);

        AssertFailure(result, ExitCodes.NotAllowed, "Not in this token's scope");
        Assert.Equal(rawPath, Assert.Single(_stub.Received).RawPath);
    }

    public static TheoryData<ApiProblem, int> Problems => new()
    {
        { new ApiProblem(401, "token_missing", "An access token is required.", "Send Authorization: Bearer."), ExitCodes.TokenRefused },
        { new ApiProblem(401, "token_invalid", "The access token is not valid.", "It is malformed or unknown."), ExitCodes.TokenRefused },
        { new ApiProblem(401, "token_expired", "The access token has expired.", "It expired on 2026-11-30."), ExitCodes.TokenRefused },
        { new ApiProblem(401, "token_revoked", "The access token was revoked.", "Ada Admin revoked it."), ExitCodes.TokenRefused },
        { new ApiProblem(403, "out_of_scope", "Not in this token's scope.", "The token does not carry these secrets.", ["PAYPAL_KEY"]), ExitCodes.NotAllowed },
        { new ApiProblem(403, "not_allowed", "No longer allowed.", "The token's creator may no longer change STRIPE_API_KEY.", ["STRIPE_API_KEY"]), ExitCodes.NotAllowed },
        { new ApiProblem(403, "network_not_allowed", "Network not allowed.", "127.0.0.1 is not in the token's networks."), ExitCodes.NotAllowed },
        { new ApiProblem(404, "no_value", "No value.", "These secrets have no value in Production.", ["STRIPE_API_KEY", "DATABASE_URL"]), ExitCodes.NotFound },
        { new ApiProblem(404, "not_found", "Not found.", "STRIPE_API_KEY no longer exists.", ["STRIPE_API_KEY"]), ExitCodes.NotFound },
        { new ApiProblem(429, "rate_limited", "Too many requests.", "This token made more than 600 requests a minute.", RetryAfterSeconds: 37), ExitCodes.ServerError },
        { new ApiProblem(500, "internal", "Something went wrong.", "Try again later."), ExitCodes.ServerError },
        { new ApiProblem(503, "unavailable", "Service unavailable.", "The database is not ready."), ExitCodes.ServerError },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public async Task Run_ProblemAnswer_ItsExitCodeAndOneLineAndNothingStarted(ApiProblem problem, int exitCode)
    {
        _stub.Problem = problem;

        var result = await ClientProcess.RunAsync(WithToken(), "run", "--server", _stub.BaseUrl, "--", "/bin/sh", "-c", "echo started");

        AssertFailure(result, exitCode, problem.Title.TrimEnd('.'));
        Assert.Contains(problem.Detail, result.Stderr);
        foreach (var name in problem.Secrets ?? []) Assert.Contains(name, result.Stderr);
        if (problem.RetryAfterSeconds is { } retry) Assert.Contains($"Try again in {retry} s.", result.Stderr);
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public async Task Get_ProblemAnswer_ItsExitCodeAndOneLine(ApiProblem problem, int exitCode)
    {
        _stub.Problem = problem;

        var result = await ClientProcess.RunAsync(WithToken(), "get", "STRIPE_API_KEY", "--server", _stub.BaseUrl);

        AssertFailure(result, exitCode, problem.Title.TrimEnd('.'));
    }

    [Theory]
    [InlineData(200, "application/json", "{not json", "without the JSON object of secrets")]
    [InlineData(200, "application/json", "[\"A\"]", "without the JSON object of secrets")]
    [InlineData(200, "application/json", "{\"A\": 1}", "without the JSON object of secrets")]
    [InlineData(200, "application/json", "{\"A\": \"1\", \"A\": \"2\"}", "without the JSON object of secrets")]
    [InlineData(200, "text/html", "<html>sign in</html>", "without the JSON object of secrets")]
    [InlineData(302, "text/html", "", "The server answered 302 Found.")]
    [InlineData(404, "text/html", "<h1>Not Found</h1>", "a Ziggy server with the machine API?")]
    [InlineData(502, "text/html", "<h1>Bad Gateway</h1>", "The server answered 502 Bad Gateway.")]
    public async Task Run_UnexpectedAnswer_ExitCode9(int status, string contentType, string body, string expected)
    {
        _stub.Raw = (status, contentType, body);

        var result = await ClientProcess.RunAsync(WithToken(), "run", "--server", _stub.BaseUrl, "--", "/bin/sh", "-c", "echo started");

        AssertFailure(result, ExitCodes.ServerError, expected);
    }

    [Fact]
    public async Task Run_EnvironmentNameThatCannotBeSet_RefusedNamingIt()
    {
        _stub.Secrets["BAD=NAME"] = "x";

        var result = await ClientProcess.RunAsync(WithToken(), "run", "--server", _stub.BaseUrl, "--", "/bin/sh", "-c", "echo started");

        AssertFailure(result, ExitCodes.ServerError, "Cannot put 'BAD=NAME' in an environment");
    }

    [Fact]
    public async Task ClientVerbs_NobodyListening_Unreachable()
    {
        var server = $"http://127.0.0.1:{Ports.Free()}";

        var run = await ClientProcess.RunAsync(WithToken(), "run", "--server", server, "--", "/bin/sh", "-c", "echo started");
        var get = await ClientProcess.RunAsync(WithToken(), "get", "X", "--server", server);

        AssertFailure(run, ExitCodes.Unreachable, $"Cannot reach {server}: Connection refused");
        AssertFailure(get, ExitCodes.Unreachable, $"Cannot reach {server}");
    }

    [Fact]
    public async Task ClientVerbs_UnknownHost_Unreachable()
    {
        var result = await ClientProcess.RunAsync(WithToken(), "get", "X", "--server", "https://ziggy.invalid", "--timeout", "10");

        AssertFailure(result, ExitCodes.Unreachable, "https://ziggy.invalid");
    }

    [Fact]
    public async Task ClientVerbs_ServerTooSlow_UnreachableAfterTheTimeout()
    {
        _stub.Delay = TimeSpan.FromSeconds(20);

        var clock = Stopwatch.StartNew();
        var flag = await ClientProcess.RunAsync(WithToken(), "get", "X", "--server", _stub.BaseUrl, "--timeout", "1");
        var variable = await ClientProcess.RunAsync(WithToken(("ZIGGY_TIMEOUT", "1.5")), "run", "--server", _stub.BaseUrl, "--", "/bin/sh", "-c", "echo started");

        AssertFailure(flag, ExitCodes.Unreachable, "did not answer within 1 s");
        AssertFailure(variable, ExitCodes.Unreachable, "did not answer within 1.5 s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task ClientVerbs_UntrustedCertificate_TlsFailureAndNothingSent()
    {
        await using var https = await MachineApiStub.StartAsync(https: true);
        https.Secrets["STRIPE_API_KEY"] = "sk_live_CANARY-4f9a1c";
        Assert.StartsWith("https://127.0.0.1:", https.BaseUrl);

        var run = await ClientProcess.RunAsync(WithToken(), "run", "--server", https.BaseUrl, "--", "/bin/sh", "-c", "echo started");
        var get = await ClientProcess.RunAsync(WithToken(), "get", "STRIPE_API_KEY", "--server", https.BaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));

        AssertFailure(run, ExitCodes.TlsFailure, $"TLS failure with {https.BaseUrl}");
        AssertFailure(get, ExitCodes.TlsFailure, "TLS failure with https://localhost:");
        Assert.Contains("Nothing was sent.", run.Stderr);
        Assert.Empty(https.Received);
    }

    [Theory]
    [InlineData("http://192.0.2.10:5080")]
    [InlineData("http://secrets.example.com")]
    public async Task ClientVerbs_HttpToAnotherMachine_RefusedBeforeConnecting(string server)
    {
        var run = await ClientProcess.RunAsync(WithToken(), "run", "--server", server, "--", "/bin/sh", "-c", "echo started");
        var fromVariable = await ClientProcess.RunAsync(WithToken(("ZIGGY_SERVER", server)), "get", "X");

        AssertFailure(run, ExitCodes.Usage, "uses http to another machine");
        AssertFailure(fromVariable, ExitCodes.Usage, "ZIGGY_SERVER");
    }

    [Fact]
    public async Task ClientVerbs_HttpToLocalhostByName_Allowed()
    {
        var server = _stub.BaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        var result = await ClientProcess.RunAsync(WithToken(), "get", "STRIPE_API_KEY", "--server", server);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(_stub.Secrets["STRIPE_API_KEY"], result.Stdout);
    }

    [Fact]
    public async Task ClientVerbs_ZiggyServer_TakesThePlaceOfTheOption()
    {
        var result = await ClientProcess.RunAsync(WithToken(("ZIGGY_SERVER", _stub.BaseUrl)), "get", "STRIPE_API_KEY");
        var noServer = await ClientProcess.RunAsync(WithToken(), "get", "STRIPE_API_KEY");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(_stub.Secrets["STRIPE_API_KEY"], result.Stdout);
        AssertFailure(noServer, ExitCodes.Usage, "No server: pass --server URL or set ZIGGY_SERVER");
    }

    [Fact]
    public async Task ClientVerbs_NoToken_ExitCode3AndNothingSent()
    {
        var result = await ClientProcess.RunAsync([], "run", "--server", _stub.BaseUrl, "--", "/bin/sh", "-c", "echo started");

        AssertFailure(result, ExitCodes.NoToken, "No token: set ZIGGY_TOKEN or pass --token-file FILE");
        Assert.Empty(_stub.Received);
    }

    [Theory]
    [InlineData("ghp_0123456789abcdef0123456789abcdef0123", "is not a Ziggy access token")]
    [InlineData("zgs_short", "is malformed")]
    public async Task ClientVerbs_NotAZiggyToken_RefusedBeforeSending(string token, string expected)
    {
        var result = await ClientProcess.RunAsync(new() { ["ZIGGY_TOKEN"] = token }, "get", "X", "--server", _stub.BaseUrl);

        AssertFailure(result, ExitCodes.TokenRefused, expected);
        Assert.DoesNotContain(token, result.Stderr);
        Assert.Empty(_stub.Received);
    }

    [Fact]
    public async Task ClientVerbs_TokenFile_ReadWithOneTrailingNewlineAndWinsOverTheVariable()
    {
        var folder = Directory.CreateTempSubdirectory("ziggy-token-").FullName;
        try
        {
            var file = Path.Combine(folder, "token");
            await File.WriteAllTextAsync(file, Token + "\n");
            var wrong = new Dictionary<string, string> { ["ZIGGY_TOKEN"] = "zgs_" + new string('A', 43) };

            var result = await ClientProcess.RunAsync(wrong, "get", "STRIPE_API_KEY", "--server", _stub.BaseUrl, "--token-file", file);
            var missing = await ClientProcess.RunAsync([], "get", "STRIPE_API_KEY", "--server", _stub.BaseUrl, "--token-file", Path.Combine(folder, "absent"));
            await File.WriteAllTextAsync(file, "");
            var empty = await ClientProcess.RunAsync([], "get", "STRIPE_API_KEY", "--server", _stub.BaseUrl, "--token-file", file);

            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.Equal(_stub.Secrets["STRIPE_API_KEY"], result.Stdout);
            Assert.Equal("Bearer " + Token, Assert.Single(_stub.Received).Authorization);
            AssertFailure(missing, ExitCodes.NoToken, "does not exist");
            AssertFailure(empty, ExitCodes.NoToken, "is empty");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ClientVerbs_TokenAsArgument_UsageErrorAndNothingSent()
    {
        var result = await ClientProcess.RunAsync([], "run", "--server", _stub.BaseUrl, "--token", Token, "--", "/bin/sh", "-c", "echo started");

        AssertFailure(result, ExitCodes.Usage, "There is no --token option");
        Assert.Empty(_stub.Received);
    }
}
