using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.Options;
using Ziggy.Secrets.Web.Integrations;
using static Ziggy.Secrets.Tests.Unit.Integrations.LoopbackHttpServer;

namespace Ziggy.Secrets.Tests.Unit.Integrations;

public sealed class IntegrationHttpClientTests
{
    private const string Secret = "sk_live_CANARY_value";

    private static IntegrationHttpClient Client(bool allowPrivateNetworks = true, int timeoutSeconds = 10) =>
        new(Options.Create(new IntegrationOptions { AllowPrivateNetworks = allowPrivateNetworks, TimeoutSeconds = timeoutSeconds }));

    private static OutboundRequest Request(string method, string url, string body = "", params (string, string)[] headers) =>
        new(method, new Uri(url), headers, body);

    // Redirects

    public static TheoryData<int, string> OtherOrigins => new()
    {
        { 307, "http://127.0.0.1:{other}/collect" },
        { 308, "http://127.0.0.1:{other}/collect" },
        { 302, "http://127.0.0.1:{other}/collect" },
        { 301, "http://localhost:{port}/collect" },
        { 303, "https://127.0.0.1:{port}/collect" },
        { 307, "ftp://127.0.0.1:{port}/collect" },
        { 307, "//127.0.0.1:{other}/collect" },
    };

    [Theory]
    [MemberData(nameof(OtherOrigins))]
    public async Task SendAsync_RedirectLeavingTheOrigin_ReturnsTheRedirectAndSendsNothingThere(int status, string target)
    {
        await using var other = new LoopbackHttpServer(_ => Answer(200, "collected"));
        string? location = null;
        await using var server = new LoopbackHttpServer(_ => Answer(status, "moved", $"Location: {location}"));
        location = target.Replace("{other}", $"{other.Port}").Replace("{port}", $"{server.Port}");
        using var client = Client();

        var response = await client.SendAsync(Request("POST", server.Origin + "/start", $"{{\"key\":\"{Secret}\"}}", ("Authorization", "Bearer " + Secret)));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(IntegrationHttpClient.LeftOriginMessage, response.Error);
        Assert.Contains($"Location: {location}", response.Headers);
        Assert.Equal("moved", response.Body);
        Assert.Single(server.Received);
        Assert.Empty(other.Received);
        Assert.DoesNotContain(Secret, response.AuditDetail);
    }

    [Theory]
    [InlineData(5, 200, null)]
    [InlineData(6, 302, "The server redirected more than 5 times; integrations follow at most 5 redirects.")]
    public async Task SendAsync_SameOriginRedirects_FollowsAtMostFive(int redirects, int status, string? error)
    {
        await using var server = new LoopbackHttpServer(r =>
        {
            var hop = int.Parse(r.Target.Split('?')[0].Split('/')[^1]);
            return hop < redirects ? Answer(302, "", $"Location: /hop/{hop + 1}?k={Secret}") : Answer(200, "arrived");
        });
        using var client = Client();

        var response = await client.SendAsync(Request("GET", server.Origin + "/hop/0", headers: ("X-Key", Secret)));

        Assert.Equal(6, server.Received.Count);
        Assert.All(server.Received, r => Assert.Equal(Secret, r.Header("X-Key")));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, response.Error);
        if (error is not null) Assert.Contains($"Location: /hop/6?k={Secret}", response.Headers);
    }

    [Theory]
    [InlineData(301, "POST", "GET", false)]
    [InlineData(302, "POST", "GET", false)]
    [InlineData(303, "POST", "GET", false)]
    [InlineData(303, "PUT", "GET", false)]
    [InlineData(303, "DELETE", "GET", false)]
    [InlineData(301, "PUT", "PUT", true)]
    [InlineData(302, "PATCH", "PATCH", true)]
    [InlineData(307, "POST", "POST", true)]
    [InlineData(308, "PUT", "PUT", true)]
    public async Task SendAsync_SameOriginRedirect_ChangesMethodAndBodyAsBrowsersDo(int status, string method, string then, bool keepsBody)
    {
        await using var server = new LoopbackHttpServer(r => r.Target == "/start" ? Answer(status, "", "Location: /next") : Answer(200));
        using var client = Client();

        var response = await client.SendAsync(Request(method, server.Origin + "/start", Secret,
            ("Content-Type", "application/json"), ("X-Key", Secret)));

        Assert.Equal(200, response.StatusCode);
        Assert.Null(response.Error);
        var second = server.Received.Last();
        Assert.Equal(2, server.Received.Count);
        Assert.Equal(then, second.Method);
        Assert.Equal(Secret, second.Header("X-Key"));
        if (keepsBody)
        {
            Assert.Equal(Secret, second.Body);
            Assert.Equal("application/json", second.Header("Content-Type"));
        }
        else
        {
            Assert.Equal("", second.Body);
            Assert.Null(second.Header("Content-Type"));
            Assert.Null(second.Header("Content-Length"));
        }
    }

    [Fact]
    public async Task SendAsync_SeeOtherAfterHead_RepeatsTheSameHead()
    {
        await using var server = new LoopbackHttpServer(r => r.Target == "/start" ? Answer(303, "", "Location: /next") : Answer(200));
        using var client = Client();

        var response = await client.SendAsync(Request("HEAD", server.Origin + "/start", "", ("X-Key", Secret)));

        Assert.Equal(200, response.StatusCode);
        var (first, second) = (server.Received.First(), server.Received.Last());
        Assert.Equal(["HEAD", "HEAD"], server.Received.Select(r => r.Method));
        Assert.Equal("/next", second.Target);
        Assert.Equal(first.Headers, second.Headers);
    }

    [Fact]
    public async Task SendAsync_RedirectToRefusedAddress_IsNotFollowedEvenWithPrivateNetworks()
    {
        await using var server = new LoopbackHttpServer(_ => Answer(307, "", "Location: http://169.254.169.254/latest/meta-data/"));
        using var client = Client();

        var response = await client.SendAsync(Request("POST", server.Origin + "/", Secret));

        Assert.Equal(307, response.StatusCode);
        Assert.Equal(IntegrationHttpClient.LeftOriginMessage, response.Error);
        Assert.Single(server.Received);
    }

    // What goes on the wire

    [Fact]
    public async Task SendAsync_InsideAnActivity_SendsOnlyTemplateHeadersAndWhatHttpNeeds()
    {
        await using var server = new LoopbackHttpServer(_ => Answer(200));
        using var client = Client();
        using var activity = new Activity("inbound request").Start();
        activity.AddBaggage("tenant", "acme");
        activity.TraceStateString = "vendor=value";

        await client.SendAsync(Request("POST", server.Origin + "/", "{}", ("Authorization", "Bearer " + Secret), ("Content-Type", "application/json")));
        await client.SendAsync(Request("GET", server.Origin + "/", "", ("X-Key", Secret)));

        var (post, get) = (server.Received.First(), server.Received.Last());
        Assert.Equal(["Authorization", "Content-Length", "Content-Type", "Host", "User-Agent"], post.Headers.Select(h => h.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["Host", "User-Agent", "X-Key"], get.Headers.Select(h => h.Name).Order(StringComparer.Ordinal));
        Assert.Equal($"127.0.0.1:{server.Port}", get.Header("Host"));
        Assert.Equal("2", post.Header("Content-Length"));
        Assert.Equal("application/json", post.Header("Content-Type"));
        Assert.Equal(IntegrationHttpClient.UserAgent, get.Header("User-Agent"));
    }

    [Fact]
    public async Task SendAsync_GlobalPropagatorInstalledFirst_AddsNothing()
    {
        await using var server = new LoopbackHttpServer(_ => Answer(200));
        IntegrationHttpClient client;
        var previous = DistributedContextPropagator.Current;
        // Handlers take the global propagator when they are created; put it back at once for the other tests.
        DistributedContextPropagator.Current = new EverythingPropagator();
        try
        {
            client = Client();
        }
        finally
        {
            DistributedContextPropagator.Current = previous;
        }

        using (client)
        using (new Activity("inbound request").Start())
            await client.SendAsync(Request("GET", server.Origin + "/"));

        Assert.Equal(["Host", "User-Agent"], Assert.Single(server.Received).Headers.Select(h => h.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SendAsync_BodyWithoutContentType_SendsTextPlainUtf8()
    {
        await using var server = new LoopbackHttpServer(_ => Answer(200));
        using var client = Client();

        await client.SendAsync(Request("PUT", server.Origin + "/", "x=ü"));

        var put = Assert.Single(server.Received);
        Assert.Equal("text/plain; charset=utf-8", put.Header("Content-Type"));
        Assert.Equal("x=ü", put.Body);
    }

    [Fact]
    public async Task SendAsync_TemplateUserAgent_IsSentInsteadOfOurs()
    {
        await using var server = new LoopbackHttpServer(_ => Answer(200));
        using var client = Client();

        await client.SendAsync(Request("GET", server.Origin + "/", "", ("user-agent", "Their-Client/2.0")));

        Assert.Equal(["Their-Client/2.0"], Assert.Single(server.Received).Headers.Where(h => h.Name == "User-Agent").Select(h => h.Value));
    }

    [Fact]
    public void UserAgent_Always_NamesTheProductAndTheApplicationVersion()
    {
        var version = typeof(IntegrationHttpClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

        Assert.Equal($"Ziggy-Secrets/{version}", IntegrationHttpClient.UserAgent);
        Assert.Matches(@"^Ziggy-Secrets/\d+\.\d+", IntegrationHttpClient.UserAgent);
    }

    // Refusals and failures: what, not where

    [Theory]
    [InlineData(false, "http://127.0.0.1:{port}/", "127.0.0.1 is a loopback address; set Ziggy:Integrations:AllowPrivateNetworks to true to allow it.")]
    [InlineData(false, "http://localhost:{port}/", "localhost: ")]
    [InlineData(false, "http://[::ffff:10.1.2.3]:{port}/", "::ffff:10.1.2.3 is a private network address")]
    [InlineData(true, "http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local or cloud-metadata address")]
    [InlineData(true, "http://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe (carrying 169.254.169.254) is a link-local")]
    public async Task SendAsync_RefusedDestination_TellsTheRunnerOnlyThatItIsNotPublic(bool allowPrivateNetworks, string url, string detail)
    {
        await using var server = new LoopbackHttpServer(_ => Answer(200));
        using var client = Client(allowPrivateNetworks);

        var response = await client.SendAsync(Request("GET", url.Replace("{port}", $"{server.Port}"), "", ("X-Key", Secret)));

        Assert.Null(response.StatusCode);
        Assert.Equal("The destination is not a public address.", response.Error);
        Assert.Contains(detail, response.AuditDetail);
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task SendAsync_UnresolvableHost_SaysOnlyThatTheNameDidNotResolve()
    {
        using var client = Client();

        var response = await client.SendAsync(Request("GET", "http://no-such-host.invalid/"));

        Assert.Null(response.StatusCode);
        Assert.Equal("The host name could not be resolved.", response.Error);
        Assert.NotNull(response.AuditDetail);
    }

    [Fact]
    public async Task SendAsync_ConnectionRefused_SaysSoWithoutTheResolvedAddress()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = Client();

        var response = await client.SendAsync(Request("GET", $"http://localhost:{port}/"));

        Assert.Null(response.StatusCode);
        Assert.Equal("The request failed: the connection was refused.", response.Error);
        Assert.Contains("refused", response.AuditDetail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SendAsync_ServerClosesWithoutAnswering_SaysSoInOurWords()
    {
        await using var server = new LoopbackHttpServer(_ => "");
        using var client = Client();

        var response = await client.SendAsync(Request("GET", server.Origin + "/"));

        Assert.Null(response.StatusCode);
        Assert.Equal("The request failed: the server closed the connection before the response was complete.", response.Error);
        Assert.NotNull(response.AuditDetail);
    }

    // Limits that stay

    [Fact]
    public async Task SendAsync_HeaderWithLineBreak_IsRefusedBeforeSending()
    {
        await using var server = new LoopbackHttpServer(_ => Answer(200));
        using var client = Client();

        var response = await client.SendAsync(Request("GET", server.Origin + "/", "", ("X-Key", "a\r\nX-Injected: 1")));

        Assert.Equal("The request could not be built: The header X-Key contains a line break after substitution.", response.Error);
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task SendAsync_NonAsciiHeaderValue_IsSentAsUtf8()
    {
        await using var server = new LoopbackHttpServer(_ => Answer(200, "", "X-Echo: süß"));
        using var client = Client();

        var response = await client.SendAsync(Request("GET", server.Origin + "/", "", ("X-Key", "tök ü+/=")));

        Assert.Equal("tök ü+/=", Assert.Single(server.Received).Header("X-Key"));
        Assert.Contains("X-Echo: süß", response.Headers);
    }

    [Fact]
    public async Task SendAsync_BodyOverOneMiB_ReadsOneMiBAndSaysSo()
    {
        await using var server = new LoopbackHttpServer(_ => Answer(200, new string('b', 1024 * 1024 + 10)));
        using var client = Client();

        var response = await client.SendAsync(Request("GET", server.Origin + "/"));

        Assert.Equal(200, response.StatusCode);
        Assert.True(response.Truncated);
        Assert.Equal(1024 * 1024, response.Body.Length);
        Assert.Equal("The response body is larger than 1 MiB: only the first 1 MiB were read.", response.Error);
    }

    [Fact]
    public async Task SendAsync_ServerNeverAnswers_TimesOut()
    {
        await using var server = new LoopbackHttpServer(_ => null);
        using var client = Client(timeoutSeconds: 1);

        var response = await client.SendAsync(Request("GET", server.Origin + "/"));

        Assert.Null(response.StatusCode);
        Assert.Equal("The request timed out after 1 seconds.", response.Error);
    }

    private sealed class EverythingPropagator : DistributedContextPropagator
    {
        public override IReadOnlyCollection<string> Fields => ["x-propagated"];

        public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter) => setter?.Invoke(carrier, "x-propagated", "yes");

        public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
            (traceId, traceState) = (null, null);

        public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;
    }
}
