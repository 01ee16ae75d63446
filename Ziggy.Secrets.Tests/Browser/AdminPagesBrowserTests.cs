using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Secrets;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

/// <summary>
/// Integrations (list, editor, run history), Access tokens, Team and Audit at a laptop's 1366×900 and a phone's 390×844:
/// nothing scrolls sideways, axe finds nothing serious with panels open, no console errors, and what they promise works.
/// </summary>
public sealed class AdminPagesBrowserTests(PrivateNetworkBrowserApp browser) : IClassFixture<PrivateNetworkBrowserApp>
{
    private const string Canary = "sk_live_ADMIN_PAGES_CANARY_7f3e";

    private static readonly (int Width, int Height)[] Sizes = [(1366, 900), (390, 844)];

    /// <summary>One organization for every test of the class: Olivia (SuperAdmin), Mia (Member), a secret holding the canary.</summary>
    private async Task<ApplicationUser> SeedAsync()
    {
        if (await browser.App.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "olivia@acme.test")))
            return await browser.App.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == "olivia@acme.test"));
        var owner = await browser.App.SetUpAsync("olivia@acme.test");
        await browser.App.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        Assert.True(await browser.App.WithServiceAsync<SecretService, bool>(async s => (await s.CreateAsync(Olivia(owner),
            new("STRIPE_API_KEY", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = Canary }))).IsOk));
        return owner;
    }

    private static CurrentUser Olivia(ApplicationUser owner) => new(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia Owner");

    private async Task<IPage> SignInAsync(string email, int width, int height)
    {
        var page = await browser.SignedInPageAsync(email, width, height);
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        return page;
    }

    /// <summary>No sideways page scroll, no serious or critical axe violation, and a screenshot to look at.</summary>
    private static async Task AssertFitsAsync(IPage page, string state, int width)
    {
        await BrowserApp.ScreenshotAsync(page, $"admin-{state}-{width}");
        var wide = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth && !e.closest('.table-scroll, .ag-root-wrapper')).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)");
        // The page's own content (the layout's bar is the shell's and is checked by its own sweep): whatever is wider than
        // the window must scroll inside its card, never widen the page.
        var widths = await page.EvaluateAsync<int[]>("""
            () => {
              const content = document.querySelector('main') || document.querySelector('.content');
              return [content.scrollWidth, Math.ceil(content.getBoundingClientRect().right), document.documentElement.clientWidth];
            }
            """);
        Assert.True(widths[0] <= widths[2] && widths[1] <= widths[2],
            $"{state} at {width} px: the content is {widths[0]} px wide and ends at {widths[1]} px in a {widths[2]} px window: {string.Join(", ", wide)}");
        // At phone size the layout's navigation bar is the shell's to make responsive (issue 22, ui-shell, with its own
        // sweep): it is hidden while axe checks this page's content, then shown again.
        var narrow = width < 600;
        if (narrow) await page.EvaluateAsync("() => document.querySelectorAll('body > header, .topbar').forEach(e => e.style.display = 'none')");
        await Accessibility.AssertNoSeriousViolationsAsync(page, $"{state} at {width} px");
        if (narrow) await page.EvaluateAsync("() => document.querySelectorAll('body > header, .topbar').forEach(e => e.style.display = '')");
    }

    [BrowserFact]
    public async Task IntegrationsPages_ListEditorAndRunHistory_FitAndOpen()
    {
        foreach (var (width, height) in Sizes) await IntegrationsPagesAtAsync(width, height);
    }

    private async Task IntegrationsPagesAtAsync(int width, int height)
    {
        var owner = await SeedAsync();
        var name = $"Charge {width}";
        // Nothing listens on the discard port: every run fails, with a reason.
        var saved = await browser.App.WithServiceAsync<IntegrationService, Web.Common.Result<IntegrationDetails>>(s => s.SaveAsync(Olivia(owner), null, null,
            new IntegrationDraft(name, "POST", "http://127.0.0.1:9/echo?a_rather_long_query_parameter_name=with_a_long_value_that_does_not_break",
                "Authorization: Bearer {{secrets.STRIPE_API_KEY}}", "")));
        Assert.True(saved.IsOk, string.Join(" ", saved.Errors.Select(e => e.Message)));
        var integration = saved.Value!;
        var page = await SignInAsync("olivia@acme.test", width, height);

        await page.GotoAsync("/Integrations");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = name })).ToBeVisibleAsync();
        await AssertFitsAsync(page, "integrations-list", width);

        await BrowserApp.FollowAsync(page.GetByRole(AriaRole.Link, new() { Name = name }), $"**/Integrations/Edit?id={integration.Id}");
        await page.GetByLabel("Headers").FillAsync("Authorization: Bearer {{secrets.STRIPE_API_KEY}}\nX-Missing: {{secrets.NO_SUCH_SECRET_WITH_A_LONG_NAME}}");
        var missing = page.Locator("[data-testid=references] tr[data-secret=NO_SUCH_SECRET_WITH_A_LONG_NAME] .badge");
        await Expect(missing).ToHaveTextAsync("No secret with this name");
        // The badge is one line, not a word a line.
        var lineHeight = await missing.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).lineHeight) || 20");
        Assert.True((await missing.BoundingBoxAsync())!.Height < lineHeight * 1.8, "the badge wraps");
        await AssertFitsAsync(page, "integration-editor", width);

        // A run that fails, with its toast and a history row that opens to status, duration and reason.
        await page.GotoAsync($"/Integrations/Edit?id={integration.Id}");
        await page.GetByLabel("Environment").SelectOptionAsync("Development");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Run in Development failed");
        var details = page.GetByTestId("run-details").First;
        await details.Locator("summary").ClickAsync();
        await Expect(details.GetByTestId("run-details-status")).ToContainTextAsync("Failed");
        await Expect(details.GetByTestId("run-details-duration")).ToContainTextAsync(" ms");
        await Expect(details.GetByTestId("run-details-error")).Not.ToBeEmptyAsync();
        await AssertFitsAsync(page, "integration-run-history", width);
        Assert.DoesNotContain(Canary, await page.ContentAsync());

        // Mia, a Member, may run it but not change it, and is told exactly that.
        var mia = await SignInAsync("mia@acme.test", width, height);
        await mia.GotoAsync($"/Integrations/Edit?id={integration.Id}");
        await Expect(mia.GetByTestId("read-only-notice")).ToContainTextAsync("You can run this integration, but only Olivia Owner or an Admin can change it");
        Assert.DoesNotContain("may not use", await mia.Locator("[data-testid=references]").InnerTextAsync());
        await Expect(mia.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeVisibleAsync();
        await AssertFitsAsync(mia, "integration-member", width);
        browser.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task AccessTokensPage_CreateAndCopyOnAPhone_Fits()
    {
        foreach (var (width, height) in Sizes) await AccessTokensPageAtAsync(width, height);
    }

    private async Task AccessTokensPageAtAsync(int width, int height)
    {
        await SeedAsync();
        var page = await SignInAsync("olivia@acme.test", width, height);
        await page.GotoAsync("/Integrations/Tokens");
        await AssertFitsAsync(page, "tokens", width);

        await page.GetByTestId("pick-STRIPE_API_KEY").CheckAsync();
        await page.GetByLabel("Purpose").FillAsync($"worker-{width}");
        await page.GetByLabel("Environment").SelectOptionAsync("Development");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var token = await page.GetByTestId("new-token").InputValueAsync();
        var copy = page.Locator("button[data-copy=new-token]");
        await copy.ScrollIntoViewIfNeededAsync();
        await Expect(copy).ToBeInViewportAsync();
        Assert.True((await copy.BoundingBoxAsync())!.X + (await copy.BoundingBoxAsync())!.Width <= width, "the Copy button is off screen");
        await copy.ClickAsync();
        await Expect(copy).ToHaveTextAsync("Copied");
        Assert.Equal(token, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await AssertFitsAsync(page, "tokens-created", width);
        browser.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task TeamPage_InviteCopyReissueRevoke_Fits()
    {
        foreach (var (width, height) in Sizes) await TeamPageAtAsync(width, height);
    }

    private async Task TeamPageAtAsync(int width, int height)
    {
        await SeedAsync();
        var page = await SignInAsync("olivia@acme.test", width, height);
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GotoAsync("/Team");
        await AssertFitsAsync(page, "team", width);

        var email = $"a.rather.long.address.{width}@subdomain.acme.test";
        await page.GetByLabel("Email").FillAsync(email);
        await page.Locator("#Invite_Role").SelectOptionAsync("Member");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create invitation link" }).ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync($"Invitation created for {email}");
        var link = page.GetByTestId("invitation-link");
        var copy = page.Locator("button[data-copy=invitation-link]");
        await copy.ScrollIntoViewIfNeededAsync();
        await Expect(copy).ToBeInViewportAsync();
        Assert.True((await copy.BoundingBoxAsync())!.X + (await copy.BoundingBoxAsync())!.Width <= width, "the Copy button is off screen");
        await copy.ClickAsync();
        var first = await link.InputValueAsync();
        Assert.StartsWith(browser.BaseUrl + "/Invitations/Accept/", first);
        Assert.Equal(first, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        // The whole link is visible: its field is as wide as the card allows, not cut off by it.
        var field = (await link.BoundingBoxAsync())!;
        var card = (await page.Locator("#invite-form").BoundingBoxAsync())!;
        Assert.True(field.X + field.Width <= card.X + card.Width + 1, "the link field runs out of its card");
        var row = page.Locator($"tr[data-email='{email}']");
        await Expect(row).ToBeVisibleAsync();
        await AssertFitsAsync(page, "team-invited", width);

        await row.GetByRole(AriaRole.Button, new() { Name = "Re-issue" }).ClickAsync();
        var reissued = page.GetByTestId("reissued-invitation-link");
        await Expect(reissued).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/Invitations/Accept/"));
        await Expect(page.Locator("#toasts")).ToContainTextAsync($"New invitation link created for {email}");
        await page.Locator("button[data-copy=reissued-invitation-link]").ClickAsync();
        var second = await reissued.InputValueAsync();
        Assert.NotEqual(first, second);
        Assert.Equal(second, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await AssertFitsAsync(page, "team-reissued", width);

        using var http = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri(first).PathAndQuery)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri(second).PathAndQuery)).StatusCode);

        await page.Locator($"tr[data-email='{email}']").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync($"Invitation for {email} revoked");
        await Expect(page.Locator($"tr[data-email='{email}']")).ToHaveCountAsync(0);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri(second).PathAndQuery)).StatusCode);

        // A password reset link is shown once with its own Copy button.
        var mia = page.Locator("tr[data-email='mia@acme.test']");
        await mia.GetByRole(AriaRole.Button, new() { Name = "Create reset link" }).ClickAsync();
        var resetCopy = page.Locator("tr[data-email='mia@acme.test'] button[data-copy^=reset-link]");
        await resetCopy.ClickAsync();
        Assert.Contains("/Account/ResetPassword#", await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await AssertFitsAsync(page, "team-reset-link", width);
        browser.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task AuditPage_ReadableNamesAndFilteredCsvExport_Fits()
    {
        foreach (var (width, height) in Sizes) await AuditPageAtAsync(width, height);
    }

    private async Task AuditPageAtAsync(int width, int height)
    {
        var owner = await SeedAsync();
        // A member whose name a spreadsheet would run as a formula.
        var formula = $"=HYPERLINK(\"http://evil.test\",\"x{width}\")";
        if (!await browser.App.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == $"formula{width}@acme.test")))
            await browser.App.AddUserAsync(owner.OrganizationId, $"formula{width}@acme.test", Role.Member, formula);
        await (await SignInAsync($"formula{width}@acme.test", width, height)).Context.CloseAsync();

        var page = await SignInAsync("olivia@acme.test", width, height);
        await page.GotoAsync("/Audit");
        await Expect(page.Locator("#audit-grid[data-loaded=true]")).ToBeAttachedAsync();
        var actions = await page.Locator(".ag-cell[col-id=action]").AllInnerTextsAsync();
        Assert.Contains("Secret created", actions);
        Assert.DoesNotContain("SecretCreated", actions);
        if (width >= 1366)
        {
            // Every action name fits its cell.
            var cut = await page.EvaluateAsync<int>("() => [...document.querySelectorAll('.ag-cell[col-id=action]')].filter(c => c.scrollWidth > c.clientWidth).length");
            Assert.Equal(0, cut);
        }

        await AssertFitsAsync(page, "audit", width);

        await page.EvaluateAsync("() => window.ziggyAuditGrid.setFilterModel({ action: { filterType: 'text', type: 'equals', filter: 'Signed in' } })");
        var shown = await page.EvaluateAsync<int>("() => window.ziggyAuditGrid.getDisplayedRowCount()");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        var lines = csv.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("\"When (UTC)\",\"User\",\"Action\",\"Secret\",\"Target\",\"IP\",\"Details\"", lines[0]);
        Assert.Equal(shown, lines.Length - 1);
        Assert.All(lines.Skip(1), line => Assert.Contains("\"Signed in\"", line));
        Assert.DoesNotContain(lines, line => line.Contains("\"=") || line.Contains("\"+") || line.Contains("\"-") || line.Contains("\"@"));
        Assert.Contains(lines, line => line.Contains("\"'=HYPERLINK("));
        Assert.DoesNotContain(Canary, csv);
        Assert.DoesNotContain("sk_live", csv);
        await Expect(page.Locator("#toasts")).ToContainTextAsync($"Exported {shown} events as CSV");
        await AssertFitsAsync(page, "audit-exported", width);
        browser.AssertNoConsoleErrors();
    }
}
