using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Tests.Integration.Accounts;

/// <summary>The organization's two-factor requirement (and the enrolment it forces), and an administrator's reset of a member's.</summary>
public class TwoFactorAdministrationTests : IDisposable
{
    private readonly ZiggyAppFactory _app;

    public TwoFactorAdministrationTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected TwoFactorAdministrationTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    private Task<TwoFactorRequirement> RequirementAsync(Guid organizationId) =>
        _app.WithDbAsync(db => db.Organizations.Where(o => o.Id == organizationId).Select(o => o.TwoFactorRequirement).SingleAsync());

    private Task<bool> TwoFactorEnabledAsync(Guid userId) => _app.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.TwoFactorEnabled).SingleAsync());

    private static async Task<HttpResponseMessage> SetRequirementAsync(TestSession session, string requirement)
    {
        var team = await session.GetPageAsync("/Team");
        return await session.SubmitAsync(team.Form("form[action*='handler=TwoFactorRequirement']"), new() { ["requirement"] = requirement });
    }

    private static void AssertSentToEnrolment(HttpResponseMessage response, string what)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{what}: {response.StatusCode}");
        Assert.Equal("/Account/TwoFactor", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SetRequirement_AdminOnTeamPage_StoredAndAudited()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        using var admin = await _app.SignInAsync("adam@acme.test");
        var team = await admin.GetPageAsync("/Team");
        team.AssertEveryFieldLabelled();
        Assert.Equal("Off", team.QuerySelector<IHtmlSelectElement>("#two-factor-requirement")!.Value);

        var response = await SetRequirementAsync(admin, "Administrators");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(TwoFactorRequirement.Administrators, await RequirementAsync(owner.OrganizationId));
        var audited = await _app.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditAction.TwoFactorRequirementChanged));
        Assert.Equal("Adam Admin", audited.ActorName);
        Assert.Contains("Required for Admins and SuperAdmins now", audited.Details);
    }

    [Theory]
    [InlineData("Bogus")]
    [InlineData("7")]
    [InlineData("")]
    public async Task SetRequirement_UnknownValue_RefusedAndUnchanged(string value)
    {
        var owner = await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");

        var response = await SetRequirementAsync(session, value);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Choose who must use two-factor sign-in.", await response.Content.ReadAsStringAsync());
        Assert.Equal(TwoFactorRequirement.Off, await RequirementAsync(owner.OrganizationId));
    }

    [Fact]
    public async Task SetRequirement_Member_403AndUnchanged()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var member = await _app.SignInAsync("mia@acme.test");
        var home = await member.GetPageAsync("/Secrets");

        var response = await member.PostFormAsync("/Team?handler=TwoFactorRequirement", new()
        {
            ["requirement"] = "Everyone",
            ["__RequestVerificationToken"] = home.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value,
        });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(TwoFactorRequirement.Off, await RequirementAsync(owner.OrganizationId));
    }

    [Fact]
    public async Task RequiredForEveryone_MemberWithoutTwoFactor_EveryPageButEnrolmentRedirectsUntilEnrolled()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var mia = await _app.SignInAsync("mia@acme.test");
        Assert.Equal(HttpStatusCode.OK, (await mia.GetAsync("/Secrets")).StatusCode);
        using var admin = await _app.SignInAsync("owner@acme.test");
        await SetRequirementAsync(admin, "Everyone");

        // An open session is sent to enrolment at its next page, whatever the spelling of the URL.
        foreach (var url in new[] { "/", "/Secrets", "/secrets/", "/Secrets/Index", "/Integrations", "/Team", "/Audit", "/Account/SignIn", "/Secrets?handler=Rows" })
            AssertSentToEnrolment(await mia.GetAsync(url), url);
        var htmx = await mia.GetAsync("/Secrets", htmx: true);
        Assert.Equal("/Account/TwoFactor", htmx.Headers.GetValues("HX-Redirect").Single());
        Assert.DoesNotContain("<form", await htmx.Content.ReadAsStringAsync());
        // A form post elsewhere is refused the same way (and changes nothing).
        var enrolment = await mia.GetPageAsync("/Account/TwoFactor");
        var token = enrolment.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        AssertSentToEnrolment(await mia.PostFormAsync("/Secrets?handler=Create", new() { ["Input.Name"] = "SNEAKY", ["__RequestVerificationToken"] = token }), "POST /Secrets");
        Assert.Equal(0, await _app.WithDbAsync(db => db.Secrets.CountAsync()));
        // What stays open: the enrolment page, static files, health checks.
        Assert.Contains("Your organization requires two-factor sign-in", enrolment.Text());
        Assert.Equal(HttpStatusCode.OK, (await mia.GetAsync("/css/site.css")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await mia.GetAsync("/healthz")).StatusCode);

        // The admin who set it is held to it too.
        AssertSentToEnrolment(await admin.GetAsync("/Team"), "admin /Team");

        await TwoFactorTests.EnrolAsync(mia);

        Assert.Equal(HttpStatusCode.OK, (await mia.GetAsync("/Secrets")).StatusCode);
    }

    [Fact]
    public async Task RequiredForEveryone_SignOut_StillWorks()
    {
        var owner = await _app.SetUpAsync();
        await _app.WithDbAsync(db => db.Organizations.ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequirement, TwoFactorRequirement.Everyone)));
        using var session = await _app.SignInAsync("owner@acme.test");
        var enrolment = await session.GetPageAsync("/");

        var response = await session.SubmitAsync(enrolment.Form("form[action='/Account/SignOut']"));

        Assert.Equal("/Account/SignIn", response.Headers.Location!.OriginalString);
        Assert.Equal(owner.OrganizationId, (await _app.WithDbAsync(db => db.Organizations.SingleAsync())).Id);
    }

    [Fact]
    public async Task RequiredForAdministrators_OnlyAdminsAndAboveAreSentToEnrolment()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        await _app.AddUserAsync(owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        await _app.WithDbAsync(db => db.Organizations.ExecuteUpdateAsync(o => o.SetProperty(x => x.TwoFactorRequirement, TwoFactorRequirement.Administrators)));

        using var mia = await _app.SignInAsync("mia@acme.test");
        using var adam = await _app.SignInAsync("adam@acme.test");

        Assert.Equal(HttpStatusCode.OK, (await mia.GetAsync("/Secrets")).StatusCode);
        AssertSentToEnrolment(await adam.GetAsync("/Secrets"), "admin");
        // Another organization's setting is its own.
        var other = await _app.AddOrganizationAsync("Globex");
        await _app.AddUserAsync(other, "gina@globex.test", Role.Admin, "Gina");
        using var gina = await _app.SignInAsync("gina@globex.test");
        Assert.Equal(HttpStatusCode.OK, (await gina.GetAsync("/Secrets")).StatusCode);
    }

    /// <summary>The reset form in a member's row on the Team page, submitted as htmx does.</summary>
    private static async Task<(HttpResponseMessage Response, string Html)> ResetAsync(TestSession session, Guid memberId)
    {
        var team = await session.GetPageAsync("/Team");
        var response = await session.SubmitAsync(team.Form($"#member-{memberId} form[action*='handler=TwoFactorReset']"), htmx: true);
        return (response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ResetTwoFactor_AdminFromTeam_OffKeyAndCodesGoneSessionsEndedAndAudited()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var miaSession = await _app.SignInAsync("mia@acme.test");
        await TwoFactorTests.EnrolAsync(miaSession);
        using var admin = await _app.SignInAsync("owner@acme.test");
        var team = await admin.GetPageAsync("/Team");
        Assert.Contains("On", team.QuerySelector($"#member-{mia.Id} .two-factor")!.TextContent);

        var (response, html) = await ResetAsync(admin, mia.Id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("<tr", html.Trim());
        Assert.Contains("Off", (await TestSession.ParseAsync(response)).QuerySelector(".two-factor")?.TextContent ?? html);
        Assert.False(await TwoFactorEnabledAsync(mia.Id));
        Assert.Equal(0, await _app.WithDbAsync(db => db.UserTokens.CountAsync(t => t.UserId == mia.Id && t.LoginProvider == TwoFactorService.IdentityLoginProvider)));
        var audited = await _app.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditAction.TwoFactorReset));
        Assert.Equal((owner.Id, mia.Id), (audited.ActorId!.Value, audited.TargetUserId!.Value));
        // Her open session ended; her password alone signs her in again.
        Assert.Equal(HttpStatusCode.Redirect, (await miaSession.GetAsync("/Secrets")).StatusCode);
        using var again = await _app.SignInAsync("mia@acme.test");
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/Secrets")).StatusCode);
    }

    [Fact]
    public async Task ResetTwoFactor_Member_403AndNothingChanges()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        var max = await _app.AddUserAsync(owner.OrganizationId, "max@acme.test", Role.Member, "Max Member");
        using (var maxSession = await _app.SignInAsync("max@acme.test")) await TwoFactorTests.EnrolAsync(maxSession);
        using var member = await _app.SignInAsync("mia@acme.test");
        var home = await member.GetPageAsync("/Secrets");
        var token = home.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        var response = await member.PostFormAsync($"/Team?handler=TwoFactorReset&id={max.Id}", new() { ["__RequestVerificationToken"] = token }, htmx: true);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True(await TwoFactorEnabledAsync(max.Id));
        Assert.Equal(0, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.TwoFactorReset)));
        Assert.NotEqual(mia.Id, max.Id);
    }

    [Fact]
    public async Task ResetTwoFactor_OfAHigherRoleOrOwnOrAnotherOrganization_Refused()
    {
        var owner = await _app.SetUpAsync();
        var adam = await _app.AddUserAsync(owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        var other = await _app.AddOrganizationAsync("Globex");
        var gina = await _app.AddUserAsync(other, "gina@globex.test", Role.Member, "Gina");
        foreach (var email in new[] { "owner@acme.test", "adam@acme.test", "mia@acme.test", "gina@globex.test" })
        {
            using var s = await _app.SignInAsync(email);
            await TwoFactorTests.EnrolAsync(s);
        }

        // Signed in with a code from now on: the admin's own sign-in goes through the second step.
        using var admin = _app.CreateSession();
        await SignInWithCodeAsync(admin, "adam@acme.test");
        var team = await admin.GetPageAsync("/Team");
        Assert.Null(team.QuerySelector($"#member-{owner.Id} form[action*='handler=TwoFactorReset']"));
        Assert.Null(team.QuerySelector($"#member-{adam.Id} form[action*='handler=TwoFactorReset']"));
        var form = team.Form($"#member-{mia.Id} form[action*='handler=TwoFactorReset']");
        var token = form.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        async Task<HttpResponseMessage> ForgedAsync(Guid id) =>
            await admin.PostFormAsync($"/Team?handler=TwoFactorReset&id={id}", new() { ["__RequestVerificationToken"] = token }, htmx: true);

        Assert.Contains(MemberRules.HigherMemberMessage, await (await ForgedAsync(owner.Id)).Content.ReadAsStringAsync());
        Assert.Contains(MemberRules.OwnTwoFactorMessage, await (await ForgedAsync(adam.Id)).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await ForgedAsync(gina.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ForgedAsync(Guid.NewGuid())).StatusCode);

        Assert.True(await TwoFactorEnabledAsync(owner.Id));
        Assert.True(await TwoFactorEnabledAsync(adam.Id));
        Assert.True(await TwoFactorEnabledAsync(gina.Id));
        Assert.Equal(0, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.TwoFactorReset)));
    }

    private async Task SignInWithCodeAsync(TestSession session, string email)
    {
        var key = await _app.WithServiceAsync<Microsoft.AspNetCore.Identity.UserManager<ApplicationUser>, string>(async users =>
            (await users.GetAuthenticatorKeyAsync((await users.FindByEmailAsync(email))!))!);
        var page = await session.GetPageAsync("/Account/SignIn");
        await session.SubmitAsync(page.Form(), new() { ["Input.Email"] = email, ["Input.Password"] = ZiggyAppFactory.Password });
        var codePage = await session.GetPageAsync("/Account/SignInTwoFactor");
        var response = await session.SubmitAsync(codePage.Form(), new() { ["Input.Code"] = Totp.Code(key, 1) });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }
}

[RequiresPostgres]
public sealed class TwoFactorAdministrationTestsOnPostgres() : TwoFactorAdministrationTests(new PostgresAppFactory());
