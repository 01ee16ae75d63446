using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Tests.Integration.Accounts;

public class OrganizationTests : IDisposable
{
    private readonly ZiggyAppFactory _app;

    public OrganizationTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected OrganizationTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task CreateOrganization_SuperAdmin_FirstAdminJoinsThroughLinkAndSeesOnlyTheirOrganization()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Acme");
        using var superAdmin = await _app.SignInAsync("owner@acme.test");
        var page = await superAdmin.GetPageAsync("/Organizations");
        page.AssertEveryFieldLabelled();

        var created = await superAdmin.SubmitAndFollowAsync(page.Form(), new() { ["Input.Name"] = "Globex", ["Input.AdminEmail"] = "gina@globex.test" });
        var link = created.QuerySelector<IHtmlInputElement>("[data-testid=invitation-link]")!.Value;
        Assert.StartsWith("/Invitations/Accept/", link);

        using var gina = _app.CreateSession();
        var accept = await gina.GetPageAsync(link);
        Assert.Contains("Join Globex", accept.Text());
        await gina.SubmitAsync(accept.Form(), new() { ["Input.DisplayName"] = "Gina Globex", ["Input.Password"] = "globex password 1", ["Input.ConfirmPassword"] = "globex password 1" });

        var team = await gina.GetPageAsync("/Team");
        var rows = team.QuerySelectorAll("table.members tbody tr").Select(r => r.TextContent).ToList();
        Assert.Single(rows);
        Assert.Contains("Gina Globex", rows[0]);
        Assert.Contains("Admin", rows[0]);
        Assert.DoesNotContain("acme.test", team.Text());
        Assert.DoesNotContain("Acme", team.Text());
        var ginaUser = await _app.WithDbAsync(db => db.Users.Include(u => u.Organization).SingleAsync(u => u.Email == "gina@globex.test"));
        Assert.Equal("Globex", ginaUser.Organization!.Name);
        Assert.Equal(Role.Admin, ginaUser.Role);
    }

    [Fact]
    public async Task ChangeMember_OfAnotherOrganization_Is404AndChangesNothing()
    {
        var owner = await _app.SetUpAsync();
        var acmeMember = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Acme");
        var globex = await _app.AddOrganizationAsync("Globex");
        var globexAdmin = await _app.AddUserAsync(globex, "gina@globex.test", Role.Admin, "Gina");
        var globexMember = await _app.AddUserAsync(globex, "gus@globex.test", Role.Member, "Gus");
        using var session = await _app.SignInAsync("gina@globex.test");
        var team = await session.GetPageAsync("/Team");

        foreach (var handler in new[] { "Role", "Status" })
        {
            var form = team.Form($"#member-{globexMember.Id} form[action*='handler={handler}']");
            form.Action = form.Action.Replace(globexMember.Id.ToString(), acmeMember.Id.ToString());
            var response = await session.SubmitAsync(form, handler == "Role" ? new() { ["role"] = "Admin" } : null, htmx: true);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var stored = await _app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == acmeMember.Id));
        Assert.Equal(Role.Member, stored.Role);
        Assert.True(stored.IsActive);
        Assert.NotEqual(Guid.Empty, globexAdmin.Id);
    }

    [Fact]
    public async Task CreateOrganization_Admin_Gets403()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam");
        using var admin = await _app.SignInAsync("adam@acme.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/Organizations")).StatusCode);
        Assert.DoesNotContain("Organizations", (await admin.GetPageAsync("/")).QuerySelector("nav")!.TextContent);
    }

    [Fact]
    public async Task CreateOrganization_DuplicateName_SaysItExists()
    {
        await _app.SetUpAsync();
        using var superAdmin = await _app.SignInAsync("owner@acme.test");
        var page = await superAdmin.GetPageAsync("/Organizations");

        var result = await superAdmin.SubmitAndFollowAsync(page.Form(), new() { ["Input.Name"] = "ACME", ["Input.AdminEmail"] = "x@acme2.test" });

        Assert.Equal("An organization named ACME already exists.", result.FieldError("Input.Name"));
        Assert.Equal(1, await _app.WithDbAsync(db => db.Organizations.CountAsync()));
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class OrganizationTestsOnPostgres() : OrganizationTests(new PostgresAppFactory());
