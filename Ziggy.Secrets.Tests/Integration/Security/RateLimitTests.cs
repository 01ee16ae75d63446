using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Integration.Security;

/// <summary>
/// The rate limits of the pages that check something typed (RateLimits): bound to the endpoint, so every spelling of its
/// path counts against one window per client address; only POSTs count.
/// </summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly List<ZiggyAppFactory> _apps = [];

    public void Dispose()
    {
        foreach (var app in _apps) app.Dispose();
    }

    private ZiggyAppFactory NewApp(Dictionary<string, string>? settings = null)
    {
        var app = new ZiggyAppFactory(settings: settings);
        _apps.Add(app);
        return app;
    }

    private static async Task<HttpResponseMessage> PostAsync(TestSession session, string url, string? forwardedFor = null, Dictionary<string, string>? fields = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields ?? []) };
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        var response = await session.Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task AssertLimitedAsync(HttpResponseMessage response, string message, string what)
    {
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{what}: {(int)response.StatusCode}, not 429");
        var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
    }

    public static readonly string[] SignInSpellings = ["/Account/SignIn/", "/ACCOUNT/SIGNIN/", "/Account/SignIn/.", "/account/signin?x=1", "/Account/./SignIn", "/Account/SignIn"];

    [Fact]
    public async Task SignIn_TenPostsThenEverySpellingOfThePath_Each429WithRetryAfterAndTheMessage()
    {
        var app = NewApp();
        var owner = await app.SetUpAsync();
        using var session = app.CreateSession();
        var page = await session.GetPageAsync("/Account/SignIn");
        for (var i = 0; i < RateLimits.SignInAttemptsPerMinute; i++)
        {
            var attempt = await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = $"u{i}@acme.test", ["Input.Password"] = "wrong password!" });
            Assert.Equal(HttpStatusCode.OK, attempt.StatusCode);
        }

        var token = page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        foreach (var spelling in SignInSpellings)
        {
            var response = await PostAsync(session, spelling, fields: new()
            {
                ["Input.Email"] = owner.Email!, ["Input.Password"] = ZiggyAppFactory.Password, ["__RequestVerificationToken"] = token,
            });
            await AssertLimitedAsync(response, RateLimits.SignInMessage, spelling);
        }

        // Showing the form is not limited, and no spelling signed anyone in.
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/Account/SignIn")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/Secrets")).StatusCode);
    }

    [Fact]
    public async Task SignIn_PostsSpreadOverSpellings_ShareOneWindow()
    {
        var app = NewApp();
        await app.SetUpAsync();
        using var session = app.CreateSession();
        for (var i = 0; i < RateLimits.SignInAttemptsPerMinute; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await PostAsync(session, SignInSpellings[i % SignInSpellings.Length])).StatusCode);

        await AssertLimitedAsync(await PostAsync(session, "/Account/SignIn"), RateLimits.SignInMessage, "the eleventh post");
    }

    [Fact]
    public async Task SignIn_Gets_AreNotCounted()
    {
        var app = NewApp();
        await app.SetUpAsync();
        using var session = app.CreateSession();
        for (var i = 0; i < 3 * RateLimits.SignInAttemptsPerMinute; i++) Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/Account/SignIn/")).StatusCode);

        var page = await session.GetPageAsync("/Account/SignIn");
        var signedIn = await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }

    [Fact]
    public async Task SignIn_BehindAProxy_EachClientAddressHasItsOwnWindowAndIPv6CountsPer64()
    {
        var app = NewApp(new() { ["FORWARDEDHEADERS_ENABLED"] = "true" });
        await app.SetUpAsync();
        using var session = app.CreateSession();

        for (var i = 0; i < RateLimits.SignInAttemptsPerMinute; i++) Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(session, "/Account/SignIn", "203.0.113.7")).StatusCode);
        await AssertLimitedAsync(await PostAsync(session, "/Account/SignIn", "203.0.113.7"), RateLimits.SignInMessage, "the same client");
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(session, "/Account/SignIn", "203.0.113.8")).StatusCode);

        // Rotating addresses inside one /64 does not buy more attempts; another /64 is another client.
        for (var i = 0; i < RateLimits.SignInAttemptsPerMinute; i++) await PostAsync(session, "/Account/SignIn", $"2001:db8:1:2::{i + 1:x}");
        await AssertLimitedAsync(await PostAsync(session, "/Account/SignIn", "2001:db8:1:2:ffff:ffff:ffff:ffff"), RateLimits.SignInMessage, "the same /64");
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(session, "/Account/SignIn", "2001:db8:1:3::1")).StatusCode);
    }

    [Fact]
    public async Task SignIn_ForwardedForWithoutAProxyConfigured_IsIgnoredAndBuysNoAttempts()
    {
        var app = NewApp();
        await app.SetUpAsync();
        using var session = app.CreateSession();
        for (var i = 0; i < RateLimits.SignInAttemptsPerMinute; i++) await PostAsync(session, "/Account/SignIn", $"198.51.100.{i + 1}");

        await AssertLimitedAsync(await PostAsync(session, "/Account/SignIn", "198.51.100.200"), RateLimits.SignInMessage, "a forged X-Forwarded-For");
    }

    public static TheoryData<string, string, string[]> OtherLimitedPages => new()
    {
        { RateLimits.InvitationMessage, "/Invitations/Accept/some-token", ["/invitations/accept/some-token/", "/INVITATIONS/ACCEPT/other-token?x=1", "/Invitations/./Accept/x"] },
        { RateLimits.PasswordResetMessage, "/Account/ResetPassword", ["/account/resetpassword/", "/ACCOUNT/RESETPASSWORD?x=1", "/Account/ResetPassword/."] },
        { RateLimits.SetupMessage, "/Setup", ["/setup/", "/Setup/Index", "/SETUP/INDEX/?x=1"] },
    };

    [Theory]
    [MemberData(nameof(OtherLimitedPages))]
    public async Task LimitedPage_TenPostsThenEverySpelling_Each429WithRetryAfterAndItsOwnMessage(string message, string path, string[] spellings)
    {
        var app = NewApp();
        await app.SetUpAsync();
        using var session = app.CreateSession();
        for (var i = 0; i < 10; i++) Assert.NotEqual(HttpStatusCode.TooManyRequests, (await PostAsync(session, path)).StatusCode);

        foreach (var spelling in spellings.Append(path)) await AssertLimitedAsync(await PostAsync(session, spelling), message, spelling);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await session.GetAsync(path)).StatusCode);
    }
}
