using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

public sealed class AuditBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    [BrowserFact]
    public async Task AuditPage_FiltersByUserActionSecretAndTimeRange()
    {
        var owner = await browser.App.SetUpAsync("olivia@acme.test");
        var actor = new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia Owner");
        foreach (var name in new[] { "STRIPE_API_KEY", "GITHUB_TOKEN" })
        {
            await browser.App.WithServiceAsync<Web.Secrets.SecretService, bool>(async s => (await s.CreateAsync(actor,
                new(name, "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = "value-0123456789" }))).IsOk);
        }

        var page = await browser.NewPageAsync();
        await page.GotoAsync("/Account/SignIn");
        await page.GetByLabel("Email").FillAsync("olivia@acme.test");
        await page.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        await Expect(page.Locator("#audit-grid[data-loaded=true]")).ToBeAttachedAsync();
        var headers = await page.Locator(".ag-header-cell-text").AllTextContentsAsync();
        Assert.Equal(["When (UTC)", "User", "Action", "Secret", "Target", "IP", "Details"], headers.Select(h => h.Trim()));

        async Task<int> RowsAfterAsync(string filterModel)
        {
            await page.EvaluateAsync($"() => {{ const api = window.ziggyAuditGrid; api.setFilterModel({filterModel}); }}");
            return await page.EvaluateAsync<int>("() => window.ziggyAuditGrid.getDisplayedRowCount()");
        }

        var all = await RowsAfterAsync("null");
        Assert.True(all >= 4, $"{all} events"); // setup, sign-in, two creates
        Assert.Equal(2, await RowsAfterAsync("{ action: { filterType: 'text', type: 'equals', filter: 'Secret created' } }"));
        Assert.Equal(1, await RowsAfterAsync("{ secret: { filterType: 'text', type: 'contains', filter: 'stripe' } }"));
        Assert.Equal(all, await RowsAfterAsync("{ user: { filterType: 'text', type: 'equals', filter: 'Olivia Owner' } }"));
        Assert.Equal(all, await RowsAfterAsync($"{{ at: {{ filterType: 'date', type: 'inRange', dateFrom: '{DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}', dateTo: '{DateTime.UtcNow.AddDays(1):yyyy-MM-dd}' }} }}"));
        Assert.Equal(0, await RowsAfterAsync($"{{ at: {{ filterType: 'date', type: 'inRange', dateFrom: '2020-01-01', dateTo: '2020-12-31' }} }}"));
        await BrowserApp.ScreenshotAsync(page, "audit");
        browser.AssertNoConsoleErrors();
    }
}
