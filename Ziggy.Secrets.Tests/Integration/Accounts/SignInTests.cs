using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Integration.Accounts;

public sealed class SignInTests : IDisposable
{
    private readonly ZiggyAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private static Task<IHtmlDocument> SignInFormAsync(TestSession session) => session.GetPageAsync("/Account/SignIn");

    [Fact]
    public async Task SignIn_CorrectPassword_SignsInAndShowsName()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession();
        var form = await SignInFormAsync(session);
        form.AssertEveryFieldLabelled();

        var home = await session.SubmitAndFollowAsync(form.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });

        Assert.Equal("Olivia Owner", home.QuerySelector("[data-testid=user-name]")?.TextContent);
    }

    [Fact]
    public async Task SignIn_EmailUnicodeCannotNormalize_SaysIncorrectInsteadOfFailing()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession();
        var form = await SignInFormAsync(session);

        var response = await session.SubmitAsync(form.Form(), new() { ["Input.Email"] = "owner@acme.test\uFFFE", ["Input.Password"] = ZiggyAppFactory.Password });

        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/Secrets")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WrongPassword_SaysIncorrectWithoutSigningIn()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession();
        var form = await SignInFormAsync(session);

        var result = await session.SubmitAndFollowAsync(form.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = "wrong password!!" });

        Assert.Contains(SignInService.IncorrectMessage, result.FormError());
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/Secrets")).StatusCode);
    }

    [Fact]
    public async Task SignIn_FiveFailures_LocksAccountEvenForTheRightPassword()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession();
        string last = "";
        for (var i = 0; i < 5; i++)
        {
            var form = await SignInFormAsync(session);
            last = (await session.SubmitAndFollowAsync(form.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = "wrong password!!" })).FormError();
        }

        // Locked, but answered as any wrong password is (and as an unknown address is: SignInAnswerTests).
        Assert.Equal(SignInService.IncorrectMessage, last);
        var again = await SignInFormAsync(session);
        var refused = await session.SubmitAndFollowAsync(again.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });
        Assert.Equal(SignInService.IncorrectMessage, refused.FormError());
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/Secrets")).StatusCode);

        // The lock lasts five minutes (Identity keeps its own clock, so read the stored end and move it).
        var lockoutEnd = await _app.WithDbAsync(db => db.Users.Select(u => u.LockoutEnd).SingleAsync());
        Assert.InRange(lockoutEnd!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(4.5), TimeSpan.FromMinutes(5));
        await _app.WithDbAsync(db => db.Users.ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.UtcNow.AddSeconds(-1))));
        var later = await SignInFormAsync(session);
        var response = await session.SubmitAsync(later.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task SignIn_Success_CookieIsHttpOnlyAndSameSiteStrict()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession();
        var form = await SignInFormAsync(session);
        var response = await session.SubmitAsync(form.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ziggy.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SignIn_OverHttps_CookieIsSecureWithHostPrefix()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession("https://localhost");
        var form = await SignInFormAsync(session);
        var response = await session.SubmitAsync(form.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-ziggy.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/;", cookie + ";", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single());

        // The session works over HTTPS with the prefixed cookie.
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/Secrets")).StatusCode);
    }

    [Fact]
    public async Task SignOut_Post_EndsTheSession()
    {
        await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        var home = await session.GetPageAsync("/");

        var response = await session.SubmitAsync(home.Form("form[action='/Account/SignOut']"));

        Assert.Equal("/Account/SignIn", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/Secrets")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await session.GetAsync("/Account/SignOut")).StatusCode);
    }

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_Is400AndChangesNothing()
    {
        var owner = await _app.SetUpAsync();
        var member = await _app.AddUserAsync(owner.OrganizationId, "m@acme.test", Role.Member, "Mia");
        using var session = await _app.SignInAsync("owner@acme.test");

        var response = await session.PostFormAsync($"/Team?handler=Role&id={member.Id}", new() { ["role"] = "Admin" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var stored = await _app.WithDbAsync(db => db.Users.FindAsync(member.Id).AsTask());
        Assert.Equal(Role.Member, stored!.Role);
    }

    [Fact]
    public async Task HtmxRequest_WithoutSession_GetsHxRedirectToSignInNotAPage()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession();

        var response = await session.GetAsync("/Team", htmx: true);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("http://localhost/Account/SignIn", response.Headers.GetValues("HX-Redirect").Single());
        Assert.DoesNotContain("<form", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Page_WithoutSession_RedirectsToSignIn()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession();

        var response = await session.GetAsync("/Team");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/Account/SignIn", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task SignIn_AfterRestart_CookieStillValid()
    {
        string cookie;
        var dataFolder = _app.DataFolder;
        await _app.SetUpAsync();
        using (var session = _app.CreateSession())
        {
            var form = await SignInFormAsync(session);
            var response = await session.SubmitAsync(form.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });
            cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ziggy.auth=", StringComparison.Ordinal)).Split(';')[0];
        }

        _app.KeepDataOnDispose = true;
        _app.Dispose();
        using var restarted = new ZiggyAppFactory(dataFolder);
        using var client = restarted.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Secrets");
        request.Headers.Add("Cookie", cookie);
        var home = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Olivia Owner", await home.Content.ReadAsStringAsync());
        Assert.True(Directory.EnumerateFiles(Path.Combine(dataFolder, "keys"), "*.xml").Any(), "Data Protection keys are kept in the data folder.");
    }
}
