using AngleSharp.Dom;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Integration.Accounts;

public class TeamTests : IDisposable
{
    private readonly ZiggyAppFactory _app;

    public TeamTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected TeamTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    private async Task<Role> RoleOfAsync(Guid id) => await _app.WithDbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.Role).SingleAsync());

    /// <summary>Submits the role form in a member's row, as htmx does, and returns the row fragment.</summary>
    private static async Task<(HttpResponseMessage Response, string Html)> ChangeRoleAsync(TestSession session, Guid memberId, string role)
    {
        var team = await session.GetPageAsync("/Team");
        var form = team.Form($"#member-{memberId} form[action*='handler=Role']");
        var response = await session.SubmitAsync(form, new() { ["role"] = role }, htmx: true);
        return (response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TeamPage_ListsMembersWithNameEmailRoleAndStatus()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var session = await _app.SignInAsync("owner@acme.test");

        var team = await session.GetPageAsync("/Team");
        team.AssertEveryFieldLabelled();

        var rows = team.QuerySelectorAll("table.members tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains(rows, r => r.Contains("Mia Member") && r.Contains("mia@acme.test") && r.Contains("Member") && r.Contains("Active"));
    }

    [Fact]
    public async Task ChangeRole_AdminPromotesMember_RowFragmentShowsNewRole()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var session = await _app.SignInAsync("owner@acme.test");

        var (response, html) = await ChangeRoleAsync(session, mia.Id, "Admin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("<tr", html.Trim());
        Assert.Equal(Role.Admin, await RoleOfAsync(mia.Id));
    }

    [Fact]
    public async Task ChangeRole_ToRoleAboveOwn_IsRefused()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "admin@acme.test", Role.Admin, "Adam Admin");
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var admin = await _app.SignInAsync("admin@acme.test");

        var (_, html) = await ChangeRoleAsync(admin, mia.Id, "SuperAdmin");

        Assert.Contains(MemberRules.AboveOwnRoleMessage, html);
        Assert.Equal(Role.Member, await RoleOfAsync(mia.Id));
    }

    [Fact]
    public async Task ChangeRole_OwnRole_IsRefused()
    {
        var owner = await _app.SetUpAsync();
        var adam = await _app.AddUserAsync(owner.OrganizationId, "admin@acme.test", Role.Admin, "Adam Admin");
        using var admin = await _app.SignInAsync("admin@acme.test");
        var team = await admin.GetPageAsync("/Team");
        Assert.Empty(team.QuerySelectorAll($"#member-{adam.Id} form"));

        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia");
        team = await admin.GetPageAsync("/Team");
        var response = await admin.SubmitAsync(Forge(team.Form($"#member-{mia.Id} form[action*='handler=Role']"), adam.Id), new() { ["role"] = "Member" }, htmx: true);

        Assert.Contains(MemberRules.OwnRoleMessage, await response.Content.ReadAsStringAsync());
        Assert.Equal(Role.Admin, await RoleOfAsync(adam.Id));
    }

    [Fact]
    public async Task ChangeRole_OfSomeoneAboveOwnRole_IsRefused()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "admin@acme.test", Role.Admin, "Adam Admin");
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia");
        using var admin = await _app.SignInAsync("admin@acme.test");
        var team = await admin.GetPageAsync("/Team");
        Assert.Empty(team.QuerySelectorAll($"#member-{owner.Id} form"));

        var response = await admin.SubmitAsync(Forge(team.Form($"#member-{mia.Id} form[action*='handler=Role']"), owner.Id), new() { ["role"] = "Member" }, htmx: true);

        Assert.Contains(MemberRules.HigherMemberMessage, await response.Content.ReadAsStringAsync());
        Assert.Equal(Role.SuperAdmin, await RoleOfAsync(owner.Id));
    }

    [Fact]
    public async Task TeamPage_Member_Gets403AndCannotChangeRoles()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var admin = await _app.SignInAsync("owner@acme.test");
        var adminTeam = await admin.GetPageAsync("/Team");
        using var member = await _app.SignInAsync("mia@acme.test");

        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/Team")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/Organizations")).StatusCode);
        // The admin's form, replayed with the member's cookies and her own antiforgery token.
        var memberHome = await member.GetPageAsync("/");
        var form = adminTeam.Form($"#member-{mia.Id} form[action*='handler=Role']");
        form.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value =
            memberHome.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var response = await member.SubmitAsync(form, new() { ["role"] = "Admin" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(Role.Member, await RoleOfAsync(mia.Id));
    }

    [Fact]
    public async Task Deactivate_Member_CannotSignInAndOpenSessionEnds()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var miaSession = await _app.SignInAsync("mia@acme.test");
        using var admin = await _app.SignInAsync("owner@acme.test");
        var team = await admin.GetPageAsync("/Team");

        var response = await admin.SubmitAsync(team.Form($"#member-{mia.Id} form[action*='handler=Status']"), htmx: true);
        Assert.Contains("Deactivated", await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Redirect, (await miaSession.GetAsync("/Secrets")).StatusCode);
        using var again = _app.CreateSession();
        var signIn = await again.GetPageAsync("/Account/SignIn");
        var refused = await again.SubmitAndFollowAsync(signIn.Form(), new() { ["Input.Email"] = "mia@acme.test", ["Input.Password"] = ZiggyAppFactory.Password });
        Assert.Contains(SignInService.DeactivatedMessage, refused.FormError());

        // Reactivated, she can sign in again.
        var page = await admin.GetPageAsync("/Team");
        await admin.SubmitAsync(page.Form($"#member-{mia.Id} form[action*='handler=Status']"), htmx: true);
        using var back = await _app.SignInAsync("mia@acme.test");
        Assert.Equal(HttpStatusCode.OK, (await back.GetAsync("/Secrets")).StatusCode);
    }

    [Fact]
    public async Task RoleChange_TakesEffectOnTheMembersNextRequest()
    {
        var owner = await _app.SetUpAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Admin, "Mia");
        using var miaSession = await _app.SignInAsync("mia@acme.test");
        Assert.Equal(HttpStatusCode.OK, (await miaSession.GetAsync("/Team")).StatusCode);
        using var admin = await _app.SignInAsync("owner@acme.test");

        await ChangeRoleAsync(admin, mia.Id, "Member");

        // A lower role ends her sessions: she signs in again, as a Member.
        Assert.Equal(HttpStatusCode.Redirect, (await miaSession.GetAsync("/Team")).StatusCode);
        using var again = await _app.SignInAsync("mia@acme.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await again.GetAsync("/Team")).StatusCode);
    }

    [Fact]
    public async Task LastSuperAdmin_TwoDemotingEachOtherAtOnce_OneSucceedsOneIsRefused()
    {
        var owner = await _app.SetUpAsync();
        var second = await _app.AddUserAsync(owner.OrganizationId, "second@acme.test", Role.SuperAdmin, "Sam Second");
        var ownerActor = new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia");
        var secondActor = new CurrentUser(second.Id, owner.OrganizationId, Role.SuperAdmin, "Sam");

        var results = await Task.WhenAll(
            _app.WithServiceAsync<TeamService, Web.Common.Result<MemberRow>>(t => t.ChangeRoleAsync(ownerActor, second.Id, Role.Member)),
            _app.WithServiceAsync<TeamService, Web.Common.Result<MemberRow>>(t => t.ChangeRoleAsync(secondActor, owner.Id, Role.Member)));

        // Writers are serialized: whoever goes second is no longer a SuperAdmin and is refused.
        Assert.Single(results, r => r.IsOk);
        Assert.Single(results, r => !r.IsOk);
        Assert.Equal(1, await _app.WithDbAsync(db => db.Users.CountAsync(u => u.Role == Role.SuperAdmin && u.IsActive)));
    }

    [Fact]
    public async Task Deactivate_OneOfTwoSuperAdmins_IsAllowed()
    {
        var owner = await _app.SetUpAsync();
        var sam = await _app.AddUserAsync(owner.OrganizationId, "sam@acme.test", Role.SuperAdmin, "Sam");
        using var session = await _app.SignInAsync("owner@acme.test");
        var team = await session.GetPageAsync("/Team");

        var response = await session.SubmitAsync(team.Form($"#member-{sam.Id} form[action*='handler=Status']"), htmx: true);

        Assert.Contains("Deactivated", await response.Content.ReadAsStringAsync());
        Assert.False(await _app.WithDbAsync(db => db.Users.Where(u => u.Id == sam.Id).Select(u => u.IsActive).SingleAsync()));
    }

    /// <summary>The form as the page rendered it, with its id parameter (wherever the generated URL puts it) pointed at another member.</summary>
    private static AngleSharp.Html.Dom.IHtmlFormElement Forge(AngleSharp.Html.Dom.IHtmlFormElement form, Guid targetId)
    {
        var action = new Uri(new Uri(form.BaseUri), form.Action);
        var query = System.Web.HttpUtility.ParseQueryString(action.Query);
        Assert.NotNull(query["id"]);
        query["id"] = targetId.ToString();
        form.Action = new UriBuilder(action) { Query = query.ToString() }.Uri.ToString();
        return form;
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class TeamTestsOnPostgres() : TeamTests(new PostgresAppFactory());
