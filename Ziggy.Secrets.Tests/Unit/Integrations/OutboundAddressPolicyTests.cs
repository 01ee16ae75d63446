using System.Net;
using System.Net.Sockets;
using System.Text;
using Ziggy.Secrets.Web.Integrations;

namespace Ziggy.Secrets.Tests.Unit.Integrations;

public sealed class OutboundAddressPolicyTests
{
    public enum Reach { Public, Private, Loopback, Never }

    public static TheoryData<string, Reach> Addresses => new()
    {
        { "8.8.8.8", Reach.Public },
        { "1.1.1.1", Reach.Public },
        { "1.0.0.0", Reach.Public },
        { "9.255.255.255", Reach.Public },
        { "11.0.0.0", Reach.Public },
        { "100.63.255.255", Reach.Public },
        { "100.128.0.0", Reach.Public },
        { "126.255.255.255", Reach.Public },
        { "128.0.0.0", Reach.Public },
        { "169.253.255.255", Reach.Public },
        { "169.255.0.0", Reach.Public },
        { "172.15.255.255", Reach.Public },
        { "172.32.0.0", Reach.Public },
        { "192.167.255.255", Reach.Public },
        { "192.169.0.0", Reach.Public },
        { "223.255.255.255", Reach.Public },
        { "2606:4700:4700::1111", Reach.Public },
        { "2001:4860:4860::8888", Reach.Public },
        { "fbff:ffff::1", Reach.Public },
        { "::ffff:8.8.8.8", Reach.Public },

        { "10.0.0.0", Reach.Private },
        { "10.1.2.3", Reach.Private },
        { "10.255.255.255", Reach.Private },
        { "172.16.0.0", Reach.Private },
        { "172.31.255.255", Reach.Private },
        { "192.168.0.0", Reach.Private },
        { "192.168.255.255", Reach.Private },
        { "100.64.0.0", Reach.Private },
        { "100.127.255.255", Reach.Private },
        { "fc00::1", Reach.Private },
        { "fd00:ec2::254", Reach.Private },
        { "fdff:ffff:ffff::1", Reach.Private },
        { "fec0::1", Reach.Private },
        { "feff::1", Reach.Private },
        { "::ffff:10.0.0.1", Reach.Private },
        { "::ffff:192.168.1.1", Reach.Private },

        { "127.0.0.1", Reach.Loopback },
        { "127.0.0.0", Reach.Loopback },
        { "127.255.255.255", Reach.Loopback },
        { "::1", Reach.Loopback },
        { "::ffff:127.0.0.1", Reach.Loopback },

        { "169.254.0.0", Reach.Never },
        { "169.254.169.254", Reach.Never },
        { "169.254.255.255", Reach.Never },
        { "::ffff:169.254.169.254", Reach.Never },
        { "fe80::1", Reach.Never },
        { "fe80::1%2", Reach.Never },
        { "febf:ffff::1", Reach.Never },
        { "0.0.0.0", Reach.Never },
        { "0.255.255.255", Reach.Never },
        { "::ffff:0.0.0.0", Reach.Never },
        { "::", Reach.Never },
        { "255.255.255.255", Reach.Never },
        { "224.0.0.0", Reach.Never },
        { "224.0.0.1", Reach.Never },
        { "239.255.255.255", Reach.Never },
        { "::ffff:224.0.0.1", Reach.Never },
        { "ff02::1", Reach.Never },
        { "ff00::", Reach.Never },
        // ::0.0.0.2 is an IPv4-compatible form of 0.0.0.2.
        { "::2", Reach.Never },
    };

    /// <summary>IPv6 forms that carry an IPv4 address, and the IPv4 address a translator or tunnel would deliver them to.</summary>
    public static TheoryData<string, string, Reach> Embedded => new()
    {
        // IPv4-compatible ::a.b.c.d
        { "::127.0.0.1", "127.0.0.1", Reach.Loopback },
        { "::10.1.2.3", "10.1.2.3", Reach.Private },
        { "::169.254.169.254", "169.254.169.254", Reach.Never },
        { "::8.8.8.8", "8.8.8.8", Reach.Public },
        // IPv4-translated ::ffff:0:a.b.c.d
        { "::ffff:0:7f00:1", "127.0.0.1", Reach.Loopback },
        { "::ffff:0:c0a8:101", "192.168.1.1", Reach.Private },
        { "::ffff:0:a9fe:a9fe", "169.254.169.254", Reach.Never },
        { "::ffff:0:808:808", "8.8.8.8", Reach.Public },
        // NAT64 well-known prefix 64:ff9b::/96
        { "64:ff9b::7f00:1", "127.0.0.1", Reach.Loopback },
        { "64:ff9b::a01:203", "10.1.2.3", Reach.Private },
        { "64:ff9b::a9fe:a9fe", "169.254.169.254", Reach.Never },
        { "64:ff9b::808:808", "8.8.8.8", Reach.Public },
        // NAT64 local-use prefix 64:ff9b:1::/48, /96 layout
        { "64:ff9b:1::7f00:1", "127.0.0.1", Reach.Loopback },
        { "64:ff9b:1::ac10:1", "172.16.0.1", Reach.Private },
        { "64:ff9b:1::a9fe:a9fe", "169.254.169.254", Reach.Never },
        { "64:ff9b:1::808:808", "8.8.8.8", Reach.Public },
        // ... any other layout puts the IPv4 where that network chose: at least private
        { "64:ff9b:1:1::808:808", "8.8.8.8", Reach.Private },
        { "64:ff9b:1:1::7f00:1", "127.0.0.1", Reach.Loopback },
        { "64:ff9b:1:1::a9fe:a9fe", "169.254.169.254", Reach.Never },
        // 6to4 2002:a.b.c.d::/48
        { "2002:7f00:1::", "127.0.0.1", Reach.Loopback },
        { "2002:a01:203::1", "10.1.2.3", Reach.Private },
        { "2002:a9fe:a9fe::", "169.254.169.254", Reach.Never },
        { "2002:808:808::1", "8.8.8.8", Reach.Public },
        // Teredo 2001:0:<server IPv4>:<flags>:<port>:<client IPv4 inverted>; the client 8.8.8.8 is f7f7:f7f7
        { "2001:0:808:808::80ff:fffe", "127.0.0.1", Reach.Loopback },
        { "2001:0:808:808::f5fe:fdfc", "10.1.2.3", Reach.Private },
        { "2001:0:808:808::5601:5601", "169.254.169.254", Reach.Never },
        { "2001:0:808:808::f7f7:f7f7", "8.8.8.8", Reach.Public },
        { "2001:0:7f00:1::f7f7:f7f7", "127.0.0.1", Reach.Loopback },
        { "2001:0:c0a8:101::f7f7:f7f7", "192.168.1.1", Reach.Private },
        { "2001:0:a9fe:a9fe::f7f7:f7f7", "169.254.169.254", Reach.Never },
        { "2001:0:7f00:1::5601:5601", "169.254.169.254", Reach.Never },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Refusal_PrivateNetworksNotAllowed_RefusesAllButPublic(string address, Reach reach)
    {
        var refusal = new OutboundAddressPolicy(allowPrivateNetworks: false).Refusal(IPAddress.Parse(address));

        switch (reach)
        {
            case Reach.Public:
                Assert.Null(refusal);
                break;
            case Reach.Private:
                Assert.Equal($"{IPAddress.Parse(address)} is a private network address; set Ziggy:Integrations:AllowPrivateNetworks to true to allow it.", refusal);
                break;
            case Reach.Loopback:
                Assert.Equal($"{IPAddress.Parse(address)} is a loopback address; set Ziggy:Integrations:AllowPrivateNetworks to true to allow it.", refusal);
                break;
            default:
                Assert.NotNull(refusal);
                Assert.EndsWith(", which integrations may never reach.", refusal);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Refusal_PrivateNetworksAllowed_RefusesOnlyNeverReachable(string address, Reach reach)
    {
        var refusal = new OutboundAddressPolicy(allowPrivateNetworks: true).Refusal(IPAddress.Parse(address));

        if (reach == Reach.Never)
            Assert.EndsWith(", which integrations may never reach.", refusal);
        else
            Assert.Null(refusal);
    }

    [Theory]
    [MemberData(nameof(Embedded))]
    public void Refusal_IPv6CarryingIPv4_JudgedByTheCarriedAddress(string address, string carried, Reach reach)
    {
        var strict = new OutboundAddressPolicy(allowPrivateNetworks: false).Refusal(IPAddress.Parse(address));
        var lenient = new OutboundAddressPolicy(allowPrivateNetworks: true).Refusal(IPAddress.Parse(address));

        var subject = $"{IPAddress.Parse(address)} (carrying {carried})";
        switch (reach)
        {
            case Reach.Public:
                Assert.Null(strict);
                Assert.Null(lenient);
                break;
            case Reach.Private:
                Assert.Equal($"{subject} is a private network address; set Ziggy:Integrations:AllowPrivateNetworks to true to allow it.", strict);
                Assert.Null(lenient);
                break;
            case Reach.Loopback:
                Assert.Equal($"{subject} is a loopback address; set Ziggy:Integrations:AllowPrivateNetworks to true to allow it.", strict);
                Assert.Null(lenient);
                break;
            default:
                Assert.Equal($"{subject} is a link-local or cloud-metadata address, which integrations may never reach.", strict);
                Assert.Equal(strict, lenient);
                break;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Refusal_CloudMetadataAddress_ExplainsWhy(bool allowPrivateNetworks)
    {
        Assert.Equal("169.254.169.254 is a link-local or cloud-metadata address, which integrations may never reach.",
            new OutboundAddressPolicy(allowPrivateNetworks).Refusal(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void Refusal_PrivateAndLoopback_NameTheSetting()
    {
        var policy = new OutboundAddressPolicy(allowPrivateNetworks: false);

        Assert.Equal("10.1.2.3 is a private network address; set Ziggy:Integrations:AllowPrivateNetworks to true to allow it.",
            policy.Refusal(IPAddress.Parse("10.1.2.3")));
        Assert.Equal("127.0.0.1 is a loopback address; set Ziggy:Integrations:AllowPrivateNetworks to true to allow it.",
            policy.Refusal(IPAddress.Parse("127.0.0.1")));
    }

    [Fact]
    public void CreateHandler_Always_ConnectsThroughPolicyWithoutRedirectsProxyCookiesOrTraceHeaders()
    {
        using var handler = new OutboundAddressPolicy(allowPrivateNetworks: true).CreateHandler();

        Assert.NotNull(handler.ConnectCallback);
        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseProxy);
        Assert.False(handler.UseCookies);
        Assert.Equal(DecompressionMethods.None, handler.AutomaticDecompression);
        Assert.Equal(TimeSpan.FromMinutes(2), handler.PooledConnectionLifetime);
        Assert.Null(handler.ActivityHeadersPropagator);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task ConnectAsync_LoopbackWithoutPrivateNetworks_RefusesBeforeConnecting(string host)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new HttpClient(new OutboundAddressPolicy(allowPrivateNetworks: false).CreateHandler());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://{host}:{port}/", timeout.Token));

        var refused = Assert.Single(Chain(error).OfType<OutboundAddressRefusedException>());
        Assert.Equal("The destination is not a public address.", refused.Message);
        Assert.Contains("is a loopback address", refused.Detail);
        Assert.All(Chain(error), e => Assert.DoesNotContain("loopback", e.Message));
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task ConnectAsync_IPv6LoopbackLiteralWithoutPrivateNetworks_Refuses()
    {
        using var client = new HttpClient(new OutboundAddressPolicy(allowPrivateNetworks: false).CreateHandler());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://[::1]:9/", timeout.Token));

        Assert.Equal("::1 is a loopback address; set Ziggy:Integrations:AllowPrivateNetworks to true to allow it.",
            Assert.Single(Chain(error).OfType<OutboundAddressRefusedException>()).Detail);
    }

    [Fact]
    public async Task ConnectAsync_LoopbackWithPrivateNetworks_Succeeds()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var server = AnswerOnceAsync(listener, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", timeout.Token);
        using var client = new HttpClient(new OutboundAddressPolicy(allowPrivateNetworks: true).CreateHandler());

        using var response = await client.GetAsync($"http://127.0.0.1:{port}/", timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync(timeout.Token));
        await server;
    }

    [Fact]
    public async Task CreateHandler_RedirectToMetadataAddress_IsNotFollowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var server = AnswerOnceAsync(listener,
            "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/meta-data/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", timeout.Token);
        using var client = new HttpClient(new OutboundAddressPolicy(allowPrivateNetworks: true).CreateHandler());

        using var response = await client.GetAsync($"http://127.0.0.1:{port}/", timeout.Token);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(new Uri("http://169.254.169.254/latest/meta-data/"), response.Headers.Location);
        await server;
    }

    private static async Task AnswerOnceAsync(TcpListener listener, string response, CancellationToken cancellationToken)
    {
        using var connection = await listener.AcceptTcpClientAsync(cancellationToken);
        var stream = connection.GetStream();
        var request = new StringBuilder();
        var buffer = new byte[1024];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0) break;
            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken);
    }

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }
}
