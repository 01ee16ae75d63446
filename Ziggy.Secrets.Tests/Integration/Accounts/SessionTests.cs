using System.Net;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Tests.Integration.Accounts;

/// <summary>
/// Server-side sessions: a cookie is only a session id, so every way a session ends must turn away any copy of the
/// cookie, replayed as an attacker who copied it would.
/// </summary>
public class SessionTests : IDisposable
{
    private const string Firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
    private const string Chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    private const string NewPassword = "a brand new passphrase";

    private readonly ZiggyAppFactory _app;

    public SessionTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected SessionTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    /// <summary>A browser signed in through the real form, and a copy of the cookie it was given.</summary>
    private sealed record Browser(TestSession Session, string Cookie) : IDisposable
    {
        public void Dispose() => Session.Dispose();
    }

    private async Task<Browser> SignInAsync(string email, string? userAgent = null, string password = ZiggyAppFactory.Password)
    {
        var session = _app.CreateSession();
        if (userAgent is not null) session.Client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        var page = await session.GetPageAsync("/Account/SignIn");
        var response = await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ziggy.auth=", StringComparison.Ordinal)).Split(';')[0];
        return new Browser(session, cookie);
    }

    /// <summary>GET with nothing but the copied cookie.</summary>
    private async Task<HttpResponseMessage> ReplayAsync(string cookie, string url = "/Secrets")
    {
        using var client = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    private async Task AssertSignedInAsync(string cookie) => Assert.Equal(HttpStatusCode.OK, (await ReplayAsync(cookie)).StatusCode);

    private async Task AssertSentToSignInAsync(string cookie)
    {
        var response = await ReplayAsync(cookie);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/Account/SignIn", response.Headers.Location!.ToString());
    }

    private Task<int> SessionCountAsync(Guid userId) => _app.WithDbAsync(db => db.UserSessions.CountAsync(s => s.UserId == userId));

    private Task<List<AuditEvent>> SessionsEndedAsync() =>
        _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == AuditAction.SessionsEnded).OrderBy(e => e.Id).ToListAsync());

    [Fact]
    public async Task SignOut_ReplayedCookie_IsSentToSignIn()
    {
        var owner = await _app.SetUpAsync();
        using var browser = await SignInAsync("owner@acme.test");
        await AssertSignedInAsync(browser.Cookie);
        var home = await browser.Session.GetPageAsync("/");

        await browser.Session.SubmitAsync(home.Form("form[action='/Account/SignOut']"));

        await AssertSentToSignInAsync(browser.Cookie);
        Assert.Equal(0, await SessionCountAsync(owner.Id));
    }

    [Fact]
    public async Task HtmxRequest_ReplayedCookieAfterSignOut_GetsHxRedirect()
    {
        await _app.SetUpAsync();
        using var browser = await SignInAsync("owner@acme.test");
        var home = await browser.Session.GetPageAsync("/");
        await browser.Session.SubmitAsync(home.Form("form[action='/Account/SignOut']"));

        using var client = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Secrets?handler=Rows");
        request.Headers.Add("Cookie", browser.Cookie);
        request.Headers.Add("HX-Request", "true");
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("http://localhost/Account/SignIn", response.Headers.GetValues("HX-Redirect").Single());
    }

    [Fact]
    public async Task SignOutEverywhere_ReplayedCookiesOfEveryBrowser_AreSentToSignIn()
    {
        var owner = await _app.SetUpAsync();
        using var laptop = await SignInAsync("owner@acme.test", Firefox);
        using var phone = await SignInAsync("owner@acme.test", Chrome);
        var sessions = await phone.Session.GetPageAsync("/Account/Sessions");

        var response = await phone.Session.SubmitAsync(sessions.Form("form.sign-out-everywhere"));

        Assert.StartsWith("/Account/SignIn", response.Headers.Location!.OriginalString);
        await AssertSentToSignInAsync(laptop.Cookie);
        await AssertSentToSignInAsync(phone.Cookie);
        Assert.Equal(0, await SessionCountAsync(owner.Id));
        var ended = Assert.Single(await SessionsEndedAsync());
        Assert.Equal((owner.Id, owner.Id, "Signed out everywhere: 2 sessions ended."), (ended.ActorId!.Value, ended.TargetUserId!.Value, ended.Details));
    }

    [Fact]
    public async Task Deactivate_ReplayedCookie_IsSentToSignInAndTheSessionRowsAreGone()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var miaBrowser = await SignInAsync("mia@acme.test");
        using var admin = await _app.SignInAsync("owner@acme.test");
        var team = await admin.GetPageAsync("/Team");

        await admin.SubmitAsync(team.Form($"#member-{mia.Id} form[action*='handler=Status']"), htmx: true);

        await AssertSentToSignInAsync(miaBrowser.Cookie);
        Assert.Equal(0, await SessionCountAsync(mia.Id));
        var ended = Assert.Single(await SessionsEndedAsync());
        Assert.Equal((owner.Id, mia.Id, "Member deactivated: 1 session ended."), (ended.ActorId!.Value, ended.TargetUserId!.Value, ended.Details));

        // Reactivated, the old cookie still does not come back to life.
        team = await admin.GetPageAsync("/Team");
        await admin.SubmitAsync(team.Form($"#member-{mia.Id} form[action*='handler=Status']"), htmx: true);
        await AssertSentToSignInAsync(miaBrowser.Cookie);
    }

    [Fact]
    public async Task ChangeRole_Lowered_EndsTheMembersSessions()
    {
        var owner = await _app.SetUpAsync();
        var adam = await _app.AddUserAsync(owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        using var adamBrowser = await SignInAsync("adam@acme.test");
        using var admin = await _app.SignInAsync("owner@acme.test");
        var team = await admin.GetPageAsync("/Team");

        await admin.SubmitAsync(team.Form($"#member-{adam.Id} form[action*='handler=Role']"), new() { ["role"] = "Member" }, htmx: true);

        await AssertSentToSignInAsync(adamBrowser.Cookie);
        Assert.Equal("Role lowered to Member: 1 session ended.", Assert.Single(await SessionsEndedAsync()).Details);
    }

    [Fact]
    public async Task ChangeRole_Raised_KeepsTheMembersSessions()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var miaBrowser = await SignInAsync("mia@acme.test");
        using var admin = await _app.SignInAsync("owner@acme.test");
        var team = await admin.GetPageAsync("/Team");

        await admin.SubmitAsync(team.Form($"#member-{mia.Id} form[action*='handler=Role']"), new() { ["role"] = "Admin" }, htmx: true);

        Assert.Equal(HttpStatusCode.OK, (await ReplayAsync(miaBrowser.Cookie, "/Team")).StatusCode);
        Assert.Empty(await SessionsEndedAsync());
    }

    [Fact]
    public async Task ChangePassword_ReplayedCookiesOfEveryBrowser_AreSentToSignIn()
    {
        var owner = await _app.SetUpAsync();
        using var laptop = await SignInAsync("owner@acme.test");
        using var phone = await SignInAsync("owner@acme.test");
        var form = await phone.Session.GetPageAsync("/Account/ChangePassword");
        form.AssertEveryFieldLabelled();

        var done = await phone.Session.SubmitAndFollowAsync(form.Form(), new()
        {
            ["Input.CurrentPassword"] = ZiggyAppFactory.Password, ["Input.Password"] = NewPassword, ["Input.ConfirmPassword"] = NewPassword,
        });

        Assert.Contains("Your password was changed", done.Text());
        Assert.Null(done.QuerySelector("[data-testid=user-name]"));
        await AssertSentToSignInAsync(laptop.Cookie);
        await AssertSentToSignInAsync(phone.Cookie);
        Assert.Equal(0, await SessionCountAsync(owner.Id));
        Assert.Equal("Password changed: 2 sessions ended.", Assert.Single(await SessionsEndedAsync()).Details);
        using var again = await SignInAsync("owner@acme.test", password: NewPassword);
        await AssertSignedInAsync(again.Cookie);
    }

    [Fact]
    public async Task ChangePassword_WrongCurrentPassword_ChangesNothingAndKeepsSessions()
    {
        var owner = await _app.SetUpAsync();
        using var browser = await SignInAsync("owner@acme.test");
        var form = await browser.Session.GetPageAsync("/Account/ChangePassword");

        var refused = await browser.Session.SubmitAndFollowAsync(form.Form(), new()
        {
            ["Input.CurrentPassword"] = "not my password at all", ["Input.Password"] = NewPassword, ["Input.ConfirmPassword"] = NewPassword,
        });

        Assert.Equal(PasswordService.WrongCurrentPasswordMessage, refused.FieldError("Input.CurrentPassword"));
        await AssertSignedInAsync(browser.Cookie);
        Assert.Equal(1, await SessionCountAsync(owner.Id));
        Assert.Empty(await SessionsEndedAsync());
    }

    [Fact]
    public async Task ResetPassword_ReplayedCookie_IsSentToSignInAndTheSessionRowsAreGone()
    {
        var owner = await _app.SetUpAsync();
        using var browser = await SignInAsync("owner@acme.test");
        // Another SuperAdmin makes the owner a reset link (nobody may make one for themselves).
        var other = await _app.AddUserAsync(owner.OrganizationId, "sam@acme.test", Role.SuperAdmin, "Sam Super");
        var link = await _app.WithServiceAsync<PasswordResetService, Web.Common.Result<CreatedResetLink>>(resets =>
            resets.CreateAsync(CurrentUser.Of(other), owner.Id));
        using var resetter = _app.CreateSession();
        var page = await resetter.GetPageAsync("/Account/ResetPassword");

        var done = await resetter.SubmitAndFollowAsync(page.Form("#reset-form"), new()
        {
            ["Input.Token"] = link.Value!.Token, ["Input.Password"] = NewPassword, ["Input.ConfirmPassword"] = NewPassword,
        });

        Assert.Contains("Your password was changed", done.Text());
        await AssertSentToSignInAsync(browser.Cookie);
        Assert.Equal(0, await SessionCountAsync(owner.Id));
        Assert.Equal("Password reset: 1 session ended.", Assert.Single(await SessionsEndedAsync()).Details);
    }

    [Fact]
    public async Task IdleTimeout_EightHoursWithoutARequest_EndsTheSession()
    {
        var owner = await _app.SetUpAsync();
        using var browser = await SignInAsync("owner@acme.test");

        // Each request within the idle timeout keeps the session alive for another eight hours...
        for (var i = 0; i < 3; i++)
        {
            _app.Clock.Advance(TimeSpan.FromHours(7.9));
            await AssertSignedInAsync(browser.Cookie);
        }

        // ...eight hours without one ends it.
        _app.Clock.Advance(TimeSpan.FromHours(8));
        await AssertSentToSignInAsync(browser.Cookie);
        Assert.Equal(0, await SessionCountAsync(owner.Id));
    }

    [Fact]
    public async Task AbsoluteLifetime_SevenDaysAfterSignIn_EndsEvenAnActiveSession()
    {
        await _app.SetUpAsync();
        using var browser = await SignInAsync("owner@acme.test");

        for (var hours = 6; hours < 7 * 24; hours += 6)
        {
            _app.Clock.Advance(TimeSpan.FromHours(6));
            await AssertSignedInAsync(browser.Cookie);
        }

        _app.Clock.Advance(TimeSpan.FromHours(6));
        await AssertSentToSignInAsync(browser.Cookie);
    }

    [Fact]
    public async Task LastSeen_RequestsWithinAMinute_AreWrittenAtMostOnce()
    {
        var owner = await _app.SetUpAsync();
        using var browser = await SignInAsync("owner@acme.test");
        Task<DateTimeOffset> LastSeenAsync() => _app.WithDbAsync(db => db.UserSessions.Where(s => s.UserId == owner.Id).Select(s => s.LastSeenAt).SingleAsync());
        var signedIn = await LastSeenAsync();

        _app.Clock.Advance(TimeSpan.FromSeconds(30));
        await AssertSignedInAsync(browser.Cookie);
        await AssertSignedInAsync(browser.Cookie);
        Assert.Equal(signedIn, await LastSeenAsync());

        _app.Clock.Advance(TimeSpan.FromSeconds(31));
        await AssertSignedInAsync(browser.Cookie);
        Assert.Equal(_app.Clock.GetUtcNow().UtcTicks, (await LastSeenAsync()).UtcTicks);
    }

    [Fact]
    public async Task SessionsPage_ListsOnlyTheUsersOwnSessionsWithBrowserAndTimes()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var laptop = await SignInAsync("owner@acme.test", Firefox);
        _app.Clock.Advance(TimeSpan.FromMinutes(5));
        using var phone = await SignInAsync("owner@acme.test", Chrome);
        using var mia = await SignInAsync("mia@acme.test", Firefox);

        var page = await phone.Session.GetPageAsync("/Account/Sessions");

        Assert.NotNull(page.QuerySelector("[data-testid=sessions-link]"));
        var rows = page.QuerySelectorAll("table.sessions tbody tr").ToList();
        Assert.Equal(2, rows.Count);
        var ownIds = await _app.WithDbAsync(db => db.UserSessions.Where(s => s.UserId == owner.Id).Select(s => s.Id).ToListAsync());
        Assert.Equal(ownIds.Select(id => $"session-{id}").Order(), rows.Select(r => r.Id!).Order());
        var current = Assert.Single(rows, r => r.GetAttribute("data-current") == "true");
        Assert.StartsWith("Chrome on Linux", current.QuerySelector(".browser")!.TextContent.Trim());
        Assert.Contains("This browser", current.TextContent);
        var other = Assert.Single(rows, r => r.GetAttribute("data-current") == "false");
        Assert.Equal("Firefox on Windows", other.QuerySelector(".browser")!.TextContent.Trim());
        var signedIn = _app.Clock.GetUtcNow().AddMinutes(-5).ToString("yyyy-MM-dd HH:mm");
        Assert.Equal(signedIn, other.QuerySelector(".signed-in")!.TextContent);
        Assert.Equal(signedIn, other.QuerySelector(".last-seen")!.TextContent);
        Assert.NotEmpty(other.QuerySelector(".ip")!.TextContent);
    }

    [Fact]
    public async Task SessionsPage_SignOutAnotherOfOnesSessions_EndsOnlyThatOne()
    {
        var owner = await _app.SetUpAsync();
        using var laptop = await SignInAsync("owner@acme.test", Firefox);
        using var phone = await SignInAsync("owner@acme.test", Chrome);
        var page = await phone.Session.GetPageAsync("/Account/Sessions");

        var response = await phone.Session.SubmitAsync(page.Form("tr[data-current=false] form"));

        Assert.Equal("/Account/Sessions", response.Headers.Location!.OriginalString);
        await AssertSentToSignInAsync(laptop.Cookie);
        await AssertSignedInAsync(phone.Cookie);
        Assert.Single((await phone.Session.GetPageAsync("/Account/Sessions")).QuerySelectorAll("table.sessions tbody tr"));
        Assert.StartsWith("Signed out of a session (Firefox on Windows", Assert.Single(await SessionsEndedAsync()).Details);
    }

    [Fact]
    public async Task SessionsPage_SignOutThisSession_SignsThisBrowserOut()
    {
        await _app.SetUpAsync();
        using var browser = await SignInAsync("owner@acme.test");
        var page = await browser.Session.GetPageAsync("/Account/Sessions");

        var response = await browser.Session.SubmitAsync(page.Form("tr[data-current=true] form"));

        Assert.Equal("/Account/SignIn", response.Headers.Location!.OriginalString);
        await AssertSentToSignInAsync(browser.Cookie);
    }

    [Fact]
    public async Task SessionsPage_AnotherUsersSessionId_Is404AndLeavesItAlone()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var miaBrowser = await SignInAsync("mia@acme.test");
        var miasSession = await _app.WithDbAsync(db => db.UserSessions.Where(s => s.UserId == mia.Id).Select(s => s.Id).SingleAsync());
        using var admin = await SignInAsync("owner@acme.test");
        var page = await admin.Session.GetPageAsync("/Account/Sessions");
        var token = page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        var response = await admin.Session.PostFormAsync($"/Account/Sessions?handler=SignOut&id={miasSession}", new() { ["__RequestVerificationToken"] = token });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await AssertSignedInAsync(miaBrowser.Cookie);
        await AssertSignedInAsync(admin.Cookie);
        Assert.Empty(await SessionsEndedAsync());
    }

    [Fact]
    public async Task Team_AdminSignsMemberOutEverywhere_EndsTheirSessionsAndIsAudited()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var miaLaptop = await SignInAsync("mia@acme.test");
        using var miaPhone = await SignInAsync("mia@acme.test");
        using var admin = await SignInAsync("owner@acme.test");
        var team = await admin.Session.GetPageAsync("/Team");

        var response = await admin.Session.SubmitAsync(team.Form($"#member-{mia.Id} form[action*='handler=SignOutEverywhere']"), htmx: true);

        Assert.Contains("Signed out everywhere.", await response.Content.ReadAsStringAsync());
        await AssertSentToSignInAsync(miaLaptop.Cookie);
        await AssertSentToSignInAsync(miaPhone.Cookie);
        await AssertSignedInAsync(admin.Cookie);
        var ended = Assert.Single(await SessionsEndedAsync());
        Assert.Equal((owner.Id, mia.Id, "mia@acme.test", "Signed out everywhere by an administrator: 2 sessions ended."),
            (ended.ActorId!.Value, ended.TargetUserId!.Value, ended.TargetName, ended.Details));
        // She is signed out, not locked out.
        using var back = await SignInAsync("mia@acme.test");
        await AssertSignedInAsync(back.Cookie);
    }

    [Fact]
    public async Task Team_MemberSignsSomeoneOutEverywhere_Is403AndEndsNothing()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        var nina = await _app.AddUserAsync(owner.OrganizationId, "nina@acme.test", Role.Member, "Nina Member");
        using var admin = await SignInAsync("owner@acme.test");
        using var ninaBrowser = await SignInAsync("nina@acme.test");
        using var miaBrowser = await SignInAsync("mia@acme.test");
        var token = (await miaBrowser.Session.GetPageAsync("/Secrets")).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        foreach (var target in new[] { owner.Id, nina.Id })
        {
            var response = await miaBrowser.Session.PostFormAsync($"/Team?handler=SignOutEverywhere&id={target}", new() { ["__RequestVerificationToken"] = token }, htmx: true);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        await AssertSignedInAsync(admin.Cookie);
        await AssertSignedInAsync(ninaBrowser.Cookie);
        Assert.Empty(await SessionsEndedAsync());
    }

    [Fact]
    public async Task Team_AdminSignsSuperAdminOutEverywhere_IsRefused()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        await _app.AddUserAsync(owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        using var superAdmin = await SignInAsync("owner@acme.test");
        using var admin = await SignInAsync("adam@acme.test");
        var team = await admin.Session.GetPageAsync("/Team");
        Assert.Null(team.QuerySelector($"#member-{owner.Id} form[action*='handler=SignOutEverywhere']"));
        var form = team.Form($"#member-{mia.Id} form[action*='handler=SignOutEverywhere']");
        form.Action = form.Action.Replace(mia.Id.ToString(), owner.Id.ToString(), StringComparison.Ordinal);

        var response = await admin.Session.SubmitAsync(form, htmx: true);

        Assert.Contains(MemberRules.HigherMemberMessage, await response.Content.ReadAsStringAsync());
        await AssertSignedInAsync(superAdmin.Cookie);
    }

    [Fact]
    public async Task SignIn_AsSomeoneElseOverAnOpenSession_DoesNotHandThatSessionOver()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        // An attacker's own session, planted in the victim's browser...
        using var browser = await SignInAsync("mia@acme.test");

        // ...in which the victim signs in.
        var page = await browser.Session.GetPageAsync("/Account/SignIn");
        await browser.Session.SubmitAsync(page.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });

        // The attacker's copy of the cookie does not now belong to the victim.
        var replay = await ReplayAsync(browser.Cookie, "/Team");
        Assert.NotEqual(HttpStatusCode.OK, replay.StatusCode);
        Assert.DoesNotContain("Olivia Owner", await replay.Content.ReadAsStringAsync());
        Assert.Equal(0, await SessionCountAsync(owner.Id));
    }

    [Fact]
    public async Task SessionRow_HoldsTheTicketProtectedNotItsClaims()
    {
        var owner = await _app.SetUpAsync();
        using var browser = await SignInAsync("owner@acme.test");

        var ticket = await _app.WithDbAsync(db => db.UserSessions.Where(s => s.UserId == owner.Id).Select(s => s.Ticket).SingleAsync());

        foreach (var claim in new[] { "owner@acme.test", "Olivia Owner", owner.Id.ToString(), owner.SecurityStamp! })
        {
            Assert.DoesNotContain(claim, Encoding.UTF8.GetString(ticket), StringComparison.Ordinal);
            Assert.DoesNotContain(claim, Encoding.Unicode.GetString(ticket), StringComparison.Ordinal);
        }

        // The cookie itself carries no more than the session id (a protected ticket is several times larger).
        Assert.True(browser.Cookie.Length < 400, $"Cookie of {browser.Cookie.Length} characters.");
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class SessionTestsOnPostgres() : SessionTests(new PostgresAppFactory());

/// <summary>What the host decides about sessions: settings, and the address of a real connection.</summary>
public sealed class SessionHostTests
{
    [Fact]
    public async Task IdleTimeout_Configured_EndsTheSessionAfterThatLong()
    {
        using var app = new ZiggyAppFactory(settings: new() { ["Ziggy:Sessions:IdleTimeout"] = "00:30:00", ["Ziggy:Sessions:AbsoluteLifetime"] = "01:00:00" });
        await app.SetUpAsync();
        using var session = await app.SignInAsync("owner@acme.test");

        app.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/Secrets")).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/Secrets")).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/Secrets")).StatusCode);
    }

    [Fact]
    public void Start_NonPositiveIdleTimeout_Fails()
    {
        using var app = new ZiggyAppFactory(settings: new() { ["Ziggy:Sessions:IdleTimeout"] = "00:00:00" });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Ziggy:Sessions:IdleTimeout", error.ToString());
    }

    [Fact]
    public async Task SessionsPage_RealConnection_ShowsTheClientAddress()
    {
        using var served = new ZiggyAppFactory();
        using var session = await served.SignInOverTcpAsync();

        var page = await session.GetPageAsync("/Account/Sessions");

        Assert.Equal("127.0.0.1", page.QuerySelector("table.sessions tbody tr .ip")!.TextContent);
    }
}
