using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Integration.Pages;

/// <summary>Pages a role may not open say who may (403 in the layout); the Organizations list for SuperAdmins.</summary>
public class RoleRefusalAndOrganizationsTests : IDisposable
{
    private readonly ZiggyAppFactory _app;

    public RoleRefusalAndOrganizationsTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected RoleRefusalAndOrganizationsTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("/Audit", "Audit is for Admins")]
    [InlineData("/Audit/", "Audit is for Admins")]
    [InlineData("/audit?handler=Rows", "Audit is for Admins")]
    [InlineData("/Team", "Team is for Admins")]
    [InlineData("/TEAM/Index", "Team is for Admins")]
    [InlineData("/Organizations", "Organizations is for SuperAdmins")]
    public async Task RefusedPage_Member_Gets403SayingWhoMayOpenIt(string path, string title)
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var mia = await _app.SignInAsync("mia@acme.test");

        var response = await mia.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var page = await TestSession.ParseAsync(response);
        Assert.Equal(title, page.QuerySelector("[data-testid=error-title]")!.TextContent.Trim());
        Assert.Equal("/Secrets", page.QuerySelector<AngleSharp.Html.Dom.IHtmlAnchorElement>("[data-testid=back-to-secrets]")!.GetAttribute("href"));
        // In the layout: the member's own navigation is there, without the links her role may not use.
        var nav = page.QuerySelector("nav[aria-label=Main]")!.TextContent;
        Assert.Contains("Secrets", nav);
        Assert.DoesNotContain("Audit", nav);
        Assert.Equal("Mia Member", page.QuerySelector("[data-testid=user-name]")!.TextContent.Trim());
    }

    [Fact]
    public async Task RefusedPage_AdminOnOrganizations_Gets403ButOpensAuditAndTeam()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        using var adam = await _app.SignInAsync("adam@acme.test");

        var refused = await adam.GetAsync("/Organizations");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Organizations is for SuperAdmins", (await TestSession.ParseAsync(refused)).QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal(HttpStatusCode.OK, (await adam.GetAsync("/Audit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adam.GetAsync("/Team")).StatusCode);
    }

    [Fact]
    public async Task RefusedPage_AdminPostingCreateOrganization_Gets403AndCreatesNothing()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        using var adam = await _app.SignInAsync("adam@acme.test");
        var adamToken = (await adam.GetPageAsync("/Secrets")).QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        var response = await adam.PostFormAsync("/Organizations", new() { ["__RequestVerificationToken"] = adamToken, ["Input.Name"] = "Initech", ["Input.AdminEmail"] = "boss@initech.test" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(1, await _app.WithDbAsync(db => db.Organizations.CountAsync()));
    }

    [Theory]
    [InlineData("/Audit")]
    [InlineData("/Team")]
    [InlineData("/Organizations")]
    public async Task RefusedPage_Anonymous_IsSentToSignIn(string path)
    {
        await _app.SetUpAsync();
        using var anonymous = _app.CreateSession();

        var response = await anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/SignIn", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task OrganizationsList_SuperAdmin_SeesEveryOrganizationNewestFirstWithCounts()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        _app.Clock.Advance(TimeSpan.FromDays(2));
        var globex = await _app.AddOrganizationAsync("Globex");
        await _app.AddUserAsync(globex, "gina@globex.test", Role.Admin, "Gina");
        using var superAdmin = await _app.SignInAsync("owner@acme.test");
        await SecretsUi.CreateAsync(superAdmin, "STRIPE_KEY", development: "sk-1");
        await SecretsUi.CreateAsync(superAdmin, "ALGOLIA_KEY", development: "al-1");
        await SecretsUi.CreateAsync(superAdmin, "OLD_KEY", development: "old-1");
        using var gina = await _app.SignInAsync("gina@globex.test");
        await SecretsUi.CreateAsync(gina, "GLOBEX_KEY", development: "gx-1");
        await _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == "OLD_KEY").ExecuteUpdateAsync(s => s.SetProperty(x => x.DeletedAt, _app.Clock.GetUtcNow())));

        var page = await superAdmin.GetPageAsync("/Organizations");

        var rows = page.QuerySelectorAll("[data-testid=organization-row]")
            .Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToArray()).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["Globex", "1", "1", "0"], [rows[0][0], rows[0][2], rows[0][3], rows[0][4]]);
        Assert.Equal(["Acme", "2", "2", "1"], [rows[1][0], rows[1][2], rows[1][3], rows[1][4]]);
        Assert.NotNull(page.QuerySelector(".table-scroll > table[data-testid=organizations]"));
        Assert.Contains("trash", page.QuerySelector("#organizations-heading + .hint")!.TextContent);
        foreach (var value in new[] { "sk-1", "gx-1", "old-1" }) Assert.DoesNotContain(value, page.DocumentElement.OuterHtml);
    }
}

[RequiresPostgres]
public sealed class RoleRefusalAndOrganizationsTestsOnPostgres() : RoleRefusalAndOrganizationsTests(new PostgresAppFactory());
