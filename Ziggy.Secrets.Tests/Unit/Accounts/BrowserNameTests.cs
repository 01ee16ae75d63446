using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Unit.Accounts;

public sealed class BrowserNameTests
{
    [Theory]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Linux")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Windows")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iOS")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0", "Opera on Linux")]
    [InlineData("curl/8.5.0", "curl")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64)", "Unknown browser on Linux")]
    [InlineData("", BrowserName.Unknown)]
    [InlineData(null, BrowserName.Unknown)]
    public void Describe_KnownUserAgents_ShortReadableName(string? userAgent, string expected) =>
        Assert.Equal(expected, BrowserName.Describe(userAgent));

    [Fact]
    public void Describe_ForgedUserAgent_NeverEchoesItsText()
    {
        var name = BrowserName.Describe("<script>alert(1)</script> Firefox/1 " + new string('x', 10_000));

        Assert.Equal("Firefox", name);
        Assert.True(name.Length <= UserSession.BrowserMaxLength);
    }
}
