using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Tests.Integration.Accounts;

/// <summary>Password reset links made on the Team page: shown once, one hour, one use, revocable, only a hash stored, audited.</summary>
public class PasswordResetTests : IDisposable
{
    private const string NewPassword = "a brand new password";

    private readonly ZiggyAppFactory _app;

    public PasswordResetTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected PasswordResetTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    /// <summary>A row fragment (a bare &lt;tr&gt;), parsed inside a table as the browser places it.</summary>
    private static async Task<IDocument> RowAsync(HttpResponseMessage response) =>
        await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content($"<table><tbody>{response.Content.ReadAsStringAsync().Result}</tbody></table>"));

    /// <summary>Presses "Create reset link" in the member's row as htmx does; answers the link shown (a path: no public URL is configured).</summary>
    private static async Task<string> CreateLinkAsync(TestSession admin, Guid memberId)
    {
        var team = await admin.GetPageAsync("/Team");
        var response = await admin.SubmitAsync(team.Form($"#member-{memberId} form[action*='handler=Reset']"), htmx: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = await RowAsync(response);
        var link = row.QuerySelector<IHtmlInputElement>("[data-testid=reset-link]")?.Value;
        Assert.True(link is not null, row.Body!.TextContent);
        Assert.StartsWith("/Account/ResetPassword#", link);
        Assert.NotNull(row.QuerySelector($"button[data-copy='{row.QuerySelector("[data-testid=reset-link]")!.Id}']"));
        return link;
    }

    /// <summary>Opens the link as its script would (the token from the fragment into the form) and sets a password.</summary>
    private async Task<IHtmlDocument> UseLinkAsync(string link, string password = NewPassword)
    {
        using var session = _app.CreateSession();
        var page = await session.GetPageAsync(link[..link.IndexOf('#')]);
        page.AssertEveryFieldLabelled();
        return await session.SubmitAndFollowAsync(page.Form("#reset-form"), new()
        {
            ["Input.Token"] = link[(link.IndexOf('#') + 1)..], ["Input.Password"] = password, ["Input.ConfirmPassword"] = password,
        });
    }

    private async Task<HttpStatusCode> SignInStatusAsync(string email, string password)
    {
        using var session = _app.CreateSession();
        var page = await session.GetPageAsync("/Account/SignIn");
        return (await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = email, ["Input.Password"] = password })).StatusCode;
    }

    private async Task<(ApplicationUser Owner, ApplicationUser Admin, ApplicationUser Member)> TeamAsync()
    {
        var owner = await _app.SetUpAsync();
        var admin = await _app.AddUserAsync(owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        var member = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        return (owner, admin, member);
    }

    [Fact]
    public async Task CreateReset_AdminForMember_LinkSetsANewPasswordOnceAndEndsTheMembersSessions()
    {
        var (_, _, member) = await TeamAsync();
        using var miasOldSession = await _app.SignInAsync("mia@acme.test");
        using var admin = await _app.SignInAsync("adam@acme.test");

        var link = await CreateLinkAsync(admin, member.Id);
        var done = await UseLinkAsync(link);

        Assert.Contains("Your password was changed", done.Text());
        Assert.Equal(HttpStatusCode.Redirect, await SignInStatusAsync("mia@acme.test", NewPassword));
        Assert.Equal(HttpStatusCode.OK, await SignInStatusAsync("mia@acme.test", ZiggyAppFactory.Password));
        Assert.Equal(HttpStatusCode.Redirect, (await miasOldSession.GetAsync("/Secrets")).StatusCode);

        var again = await UseLinkAsync(link, "yet another password");
        Assert.Contains(PasswordResetService.InvalidLinkMessage, again.FormError());
        Assert.Equal(HttpStatusCode.Redirect, await SignInStatusAsync("mia@acme.test", NewPassword));
    }

    [Fact]
    public async Task CreateReset_WithoutHtmx_ShowsThePageWithTheLinkOnce()
    {
        var (_, _, member) = await TeamAsync();
        using var admin = await _app.SignInAsync("adam@acme.test");
        var team = await admin.GetPageAsync("/Team");

        var shown = await admin.SubmitAndFollowAsync(team.Form($"#member-{member.Id} form[action*='handler=Reset']"));
        var link = shown.QuerySelector<IHtmlInputElement>($"#member-{member.Id} [data-testid=reset-link]")!.Value;
        Assert.Contains("A password reset link is open until", shown.QuerySelector($"#member-{member.Id}")!.TextContent);

        // Shown once: the Team page does not show it again.
        var later = await admin.GetPageAsync("/Team");
        Assert.Empty(later.QuerySelectorAll("[data-testid=reset-link]"));
        Assert.Contains("Your password was changed", (await UseLinkAsync(link)).Text());
    }

    [Fact]
    public async Task Reset_LiftsALockout()
    {
        var (_, _, member) = await TeamAsync();
        await _app.WithDbAsync(db => db.Users.Where(u => u.Id == member.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.UtcNow.AddMinutes(5))));
        using var admin = await _app.SignInAsync("adam@acme.test");

        await UseLinkAsync(await CreateLinkAsync(admin, member.Id));

        Assert.Equal(HttpStatusCode.Redirect, await SignInStatusAsync("mia@acme.test", NewPassword));
    }

    [Fact]
    public async Task Reset_AfterOneHour_IsExpired()
    {
        var (_, _, member) = await TeamAsync();
        using var admin = await _app.SignInAsync("adam@acme.test");
        var link = await CreateLinkAsync(admin, member.Id);

        _app.Clock.Advance(TimeSpan.FromHours(1));
        var refused = await UseLinkAsync(link);

        Assert.Contains(PasswordResetService.ExpiredMessage, refused.FormError());
        Assert.Equal(HttpStatusCode.Redirect, await SignInStatusAsync("mia@acme.test", ZiggyAppFactory.Password));
    }

    [Fact]
    public async Task Reset_JustBeforeTheHourEnds_StillWorks()
    {
        var (_, _, member) = await TeamAsync();
        using var admin = await _app.SignInAsync("adam@acme.test");
        var link = await CreateLinkAsync(admin, member.Id);

        _app.Clock.Advance(TimeSpan.FromMinutes(59));

        Assert.Contains("Your password was changed", (await UseLinkAsync(link)).Text());
    }

    [Fact]
    public async Task RevokeReset_LinkNoLongerWorks()
    {
        var (_, _, member) = await TeamAsync();
        using var admin = await _app.SignInAsync("adam@acme.test");
        var link = await CreateLinkAsync(admin, member.Id);
        var team = await admin.GetPageAsync("/Team");

        var response = await admin.SubmitAsync(team.Form($"#member-{member.Id} form[action*='handler=RevokeReset']"), htmx: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null((await RowAsync(response)).QuerySelector("[data-testid=reset-open]"));

        Assert.Contains(PasswordResetService.InvalidLinkMessage, (await UseLinkAsync(link)).FormError());
        Assert.Equal(HttpStatusCode.Redirect, await SignInStatusAsync("mia@acme.test", ZiggyAppFactory.Password));
    }

    [Fact]
    public async Task CreateReset_Again_ReplacesTheOpenLink()
    {
        var (_, _, member) = await TeamAsync();
        using var admin = await _app.SignInAsync("adam@acme.test");
        var first = await CreateLinkAsync(admin, member.Id);
        var second = await CreateLinkAsync(admin, member.Id);

        Assert.Contains(PasswordResetService.InvalidLinkMessage, (await UseLinkAsync(first)).FormError());
        Assert.Contains("Your password was changed", (await UseLinkAsync(second)).Text());
    }

    [Fact]
    public async Task Reset_ShortPassword_SaysSoAndKeepsTheLinkUsable()
    {
        var (_, _, member) = await TeamAsync();
        using var admin = await _app.SignInAsync("adam@acme.test");
        var link = await CreateLinkAsync(admin, member.Id);

        var refused = await UseLinkAsync(link, "too short");

        Assert.Equal("Passwords must be at least 12 characters.", refused.FieldError("Input.Password"));
        Assert.Contains("Your password was changed", (await UseLinkAsync(link)).Text());
    }

    /// <summary>Posts a Team handler for <paramref name="targetId"/> directly (a forged request, with a valid antiforgery token).</summary>
    private static async Task<HttpResponseMessage> ForgeAsync(TestSession session, string handler, Guid targetId)
    {
        var page = await session.GetPageAsync("/Secrets");
        var token = page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        return await session.PostFormAsync($"/Team?handler={handler}&id={targetId}", new() { ["__RequestVerificationToken"] = token }, htmx: true);
    }

    private Task<int> LinkCountAsync() => _app.WithDbAsync(db => db.PasswordResetLinks.CountAsync());

    [Fact]
    public async Task CreateAndRevokeReset_Member_Is403AndChangesNothing()
    {
        var (owner, _, _) = await TeamAsync();
        var max = await _app.AddUserAsync(owner.OrganizationId, "max@acme.test", Role.Member, "Max Member");
        using var adminSession = await _app.SignInAsync("adam@acme.test");
        await CreateLinkAsync(adminSession, max.Id);
        using var mia = await _app.SignInAsync("mia@acme.test");

        Assert.Equal(HttpStatusCode.Forbidden, (await ForgeAsync(mia, "Reset", max.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ForgeAsync(mia, "RevokeReset", max.Id)).StatusCode);

        Assert.Equal(1, await LinkCountAsync());
        Assert.Equal(0, await _app.WithDbAsync(db => db.PasswordResetLinks.CountAsync(l => l.RevokedAt != null)));
    }

    [Fact]
    public async Task CreateReset_AdminForSuperAdminOrHimself_RefusedAndNothingStored()
    {
        var (owner, admin, _) = await TeamAsync();
        using var session = await _app.SignInAsync("adam@acme.test");
        var team = await session.GetPageAsync("/Team");
        Assert.Null(team.QuerySelector($"#member-{owner.Id} form[action*='handler=Reset']"));

        var higher = await ForgeAsync(session, "Reset", owner.Id);
        Assert.Contains(MemberRules.HigherMemberMessage, await higher.Content.ReadAsStringAsync());
        var self = await ForgeAsync(session, "Reset", admin.Id);
        Assert.Contains(MemberRules.OwnPasswordResetMessage, await self.Content.ReadAsStringAsync());

        Assert.Equal(0, await LinkCountAsync());
    }

    [Fact]
    public async Task CreateReset_MemberOfAnotherOrganization_Is404()
    {
        await TeamAsync();
        var globex = await _app.AddOrganizationAsync("Globex");
        var gus = await _app.AddUserAsync(globex, "gus@globex.test", Role.Member, "Gus");
        using var session = await _app.SignInAsync("owner@acme.test");

        Assert.Equal(HttpStatusCode.NotFound, (await ForgeAsync(session, "Reset", gus.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ForgeAsync(session, "RevokeReset", gus.Id)).StatusCode);
        Assert.Equal(0, await LinkCountAsync());
    }

    [Fact]
    public async Task Reset_CreateUseAndRevoke_AreInTheAuditTrail()
    {
        var (owner, admin, member) = await TeamAsync();
        using var session = await _app.SignInAsync("adam@acme.test");
        await UseLinkAsync(await CreateLinkAsync(session, member.Id));
        await CreateLinkAsync(session, member.Id);
        var team = await session.GetPageAsync("/Team");
        await session.SubmitAsync(team.Form($"#member-{member.Id} form[action*='handler=RevokeReset']"), htmx: true);

        var events = await _app.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == AuditAction.PasswordResetCreated || e.Action == AuditAction.PasswordResetUsed || e.Action == AuditAction.PasswordResetRevoked)
            .OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([AuditAction.PasswordResetCreated, AuditAction.PasswordResetUsed, AuditAction.PasswordResetCreated, AuditAction.PasswordResetRevoked],
            events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal(member.Id, e.TargetUserId));
        Assert.All(events, e => Assert.Equal(owner.OrganizationId, e.OrganizationId));
        Assert.Equal([admin.Id, member.Id, admin.Id, admin.Id], events.Select(e => e.ActorId!.Value));
    }

    [Fact]
    public async Task Reset_TokenIsStoredOnlyAsItsHash()
    {
        var (_, _, member) = await TeamAsync();
        using var session = await _app.SignInAsync("adam@acme.test");
        var link = await CreateLinkAsync(session, member.Id);
        var token = link[(link.IndexOf('#') + 1)..];

        var stored = await _app.WithDbAsync(db => db.PasswordResetLinks.AsNoTracking().SingleAsync());
        Assert.Equal(InvitationToken.Hash(token), stored.TokenHash);
        var audit = await _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().Select(e => e.Details + e.TargetName + e.ActorName).ToListAsync());
        Assert.DoesNotContain(audit, text => text.Contains(token, StringComparison.Ordinal));
        if (_app is not PostgresAppFactory)
        {
            Assert.True(SqliteFileAssert.Contains(_app.DatabasePath, stored.TokenHash), "The control: the scan finds the hash.");
            SqliteFileAssert.DoesNotContain(_app.DatabasePath, token);
        }
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class PasswordResetTestsOnPostgres() : PasswordResetTests(new PostgresAppFactory());
