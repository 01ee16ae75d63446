using Ziggy.Secrets.Web.Client;
using Ziggy.Secrets.Web.Hosting;

namespace Ziggy.Secrets.Tests.Unit.Client;

/// <summary>The client verbs' server address, token and time limit, checked before anything is sent.</summary>
public sealed class ClientSettingsTests : IDisposable
{
    private const string Token = "zgs_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    private readonly string _folder = Directory.CreateTempSubdirectory("ziggy-token-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData("https://secrets.example.com", "https://secrets.example.com/")]
    [InlineData("https://secrets.example.com/ziggy", "https://secrets.example.com/ziggy/")]
    [InlineData("http://localhost:5080", "http://localhost:5080/")]
    [InlineData("http://127.0.0.1:5080/", "http://127.0.0.1:5080/")]
    [InlineData("http://127.0.0.2:5080", "http://127.0.0.2:5080/")]
    [InlineData("http://[::1]:5080", "http://[::1]:5080/")]
    public void ServerAddress_HttpsOrLoopback_Accepted(string given, string expected)
    {
        var (server, failure) = ServerAddress.Parse(given, Environment());

        Assert.Null(failure);
        Assert.Equal(expected, server!.ToString());
    }

    [Theory]
    [InlineData("http://secrets.example.com")]
    [InlineData("http://10.0.0.5:5080")]
    [InlineData("http://127.0.0.1.example.com")]
    [InlineData("http://localhost.example.com")]
    [InlineData("http://[::ffff:10.0.0.1]")]
    [InlineData("http://0.0.0.0:5080")]
    public void ServerAddress_HttpToAnotherMachine_Refused(string given)
    {
        var (server, failure) = ServerAddress.Parse(given, Environment());

        Assert.Null(server);
        Assert.Equal(ExitCodes.Usage, failure!.ExitCode);
        Assert.Contains("use https", failure.Message);
    }

    [Theory]
    [InlineData("secrets.example.com", "is not an http(s) address")]
    [InlineData("ftp://secrets.example.com", "is not an http(s) address")]
    [InlineData("https://user:pass@secrets.example.com", "without a user name, query or fragment")]
    [InlineData("https://secrets.example.com/?x=1", "without a user name, query or fragment")]
    public void ServerAddress_NotAServerAddress_Refused(string given, string expected)
    {
        var (_, failure) = ServerAddress.Parse(given, Environment());

        Assert.Equal(ExitCodes.Usage, failure!.ExitCode);
        Assert.Contains(expected, failure.Message);
    }

    [Fact]
    public void ServerAddress_FromZiggyServer_WhenNoOption()
    {
        Assert.Equal("https://env.example/", ServerAddress.Parse(null, Environment(("ZIGGY_SERVER", "https://env.example"))).Server!.ToString());
        Assert.Equal("https://option.example/", ServerAddress.Parse("https://option.example", Environment(("ZIGGY_SERVER", "https://env.example"))).Server!.ToString());
        var (_, failure) = ServerAddress.Parse(null, Environment());
        Assert.Equal(ExitCodes.Usage, failure!.ExitCode);
        Assert.Contains("--server URL or set ZIGGY_SERVER", failure.Message);
    }

    [Theory]
    [InlineData(Token + "\n")]
    [InlineData(Token + "\r\n")]
    [InlineData(Token)]
    public void Token_FromFile_OneTrailingNewlineIgnored(string content)
    {
        var file = Path.Combine(_folder, "token");
        File.WriteAllText(file, content);

        var (token, failure) = ClientToken.Load(file, Environment(("ZIGGY_TOKEN", "zgs_other")));

        Assert.Null(failure);
        Assert.Equal(Token, token);
    }

    [Theory]
    [InlineData(Token + "\n\n", ExitCodes.TokenRefused, "is malformed")]
    [InlineData(" " + Token, ExitCodes.TokenRefused, "is not a Ziggy access token")]
    [InlineData("ghp_abcdef", ExitCodes.TokenRefused, "is not a Ziggy access token")]
    [InlineData(Token + "A", ExitCodes.TokenRefused, "is malformed")]
    [InlineData("", ExitCodes.NoToken, "is empty")]
    [InlineData("\n", ExitCodes.NoToken, "is empty")]
    public void Token_FromFile_BadContentRefusedWithoutRepeatingIt(string content, int exitCode, string expected)
    {
        var file = Path.Combine(_folder, "token");
        File.WriteAllText(file, content);

        var (token, failure) = ClientToken.Load(file, Environment());

        Assert.Null(token);
        Assert.Equal(exitCode, failure!.ExitCode);
        Assert.Contains(expected, failure.Message);
        Assert.DoesNotContain(Token[4..], failure.Message);
        Assert.DoesNotContain("ghp_", failure.Message);
    }

    [Fact]
    public void Token_MissingFile_NoToken()
    {
        var (_, failure) = ClientToken.Load(Path.Combine(_folder, "absent"), Environment(("ZIGGY_TOKEN", Token)));

        Assert.Equal(ExitCodes.NoToken, failure!.ExitCode);
        Assert.Contains("does not exist", failure.Message);
    }

    [Fact]
    public void Token_FromEnvironment()
    {
        Assert.Equal(Token, ClientToken.Load(null, Environment(("ZIGGY_TOKEN", Token))).Token);
        Assert.Equal(ExitCodes.NoToken, ClientToken.Load(null, Environment()).Failure!.ExitCode);
        Assert.Equal(ExitCodes.NoToken, ClientToken.Load(null, Environment(("ZIGGY_TOKEN", ""))).Failure!.ExitCode);
        // Characters that are not base64url would also break the Authorization header.
        var (_, failure) = ClientToken.Load(null, Environment(("ZIGGY_TOKEN", Token[..^1] + "\n")));
        Assert.Equal(ExitCodes.TokenRefused, failure!.ExitCode);
        Assert.Contains("ZIGGY_TOKEN", failure.Message);
    }

    [Theory]
    [InlineData(null, null, 30)]
    [InlineData("5", null, 5)]
    [InlineData(null, "2.5", 2.5)]
    [InlineData("7", "2", 7)]
    public void Timeout_FromOptionOrEnvironment(string? option, string? variable, double seconds)
    {
        var (timeout, failure) = ZiggyApiClient.ParseTimeout(option, name => name == "ZIGGY_TIMEOUT" ? variable : null);

        Assert.Null(failure);
        Assert.Equal(TimeSpan.FromSeconds(seconds), timeout);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("100000")]
    [InlineData("NaN")]
    public void Timeout_NotSeconds_UsageError(string option)
    {
        var (_, failure) = ZiggyApiClient.ParseTimeout(option, _ => null);

        Assert.Equal(ExitCodes.Usage, failure!.ExitCode);
        Assert.Contains("is not a number of seconds", failure.Message);
    }

    [Theory]
    [InlineData(new string[0], null, null, new[] { "--urls", "http://localhost:5080" })]
    [InlineData(new string[0], "http://0.0.0.0:8080", null, new[] { "--urls", "http://0.0.0.0:8080" })]
    [InlineData(new string[0], null, "http://127.0.0.1:9000", new string[0])]
    [InlineData(new[] { "--urls", "http://127.0.0.1:9001" }, "http://0.0.0.0:8080", null, new[] { "--urls", "http://0.0.0.0:8080", "--urls", "http://127.0.0.1:9001" })]
    [InlineData(new[] { "--urls=http://127.0.0.1:9001" }, null, null, new[] { "--urls=http://127.0.0.1:9001" })]
    public void ListeningAddress_DefaultOnlyWhenNothingElseSaysWhere(string[] args, string? ziggyUrls, string? aspnetUrls, string[] expected)
    {
        var hostArgs = ListeningAddress.HostArgs(args, Environment(("ZIGGY_URLS", ziggyUrls!), ("ASPNETCORE_URLS", aspnetUrls!)));

        Assert.Equal(expected, hostArgs);
    }
}
