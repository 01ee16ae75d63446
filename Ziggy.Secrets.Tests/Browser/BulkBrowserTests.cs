using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Secrets;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

public sealed class BulkBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    private static ILocator Row(IPage page, string name) =>
        page.Locator(".ag-row").Filter(new() { Has = page.Locator("[col-id=name]", new() { HasTextString = name }) });

    /// <summary>A row's selection checkbox (AG Grid renders the selection column in the left or centre container, by row index).</summary>
    private static ILocator Checkbox(IPage page, string name) =>
        page.Locator($".ag-row[row-index='{RowIndex(name)}'] [col-id=ag-Grid-SelectionColumn] input").First;

    private static readonly string[] Names = ["ALPHA_1", "ALPHA_2", "ALPHA_3", "BETA_1", "BETA_2"];

    private static int RowIndex(string name) => Array.IndexOf(Names, name);

    [BrowserFact]
    public async Task SelectWithClickAndShiftClick_BulkDeleteThroughTheDialog_RowsLeaveTheGrid()
    {
        var olivia = await browser.App.SetUpAsync("olivia@acme.test");
        var actor = CurrentUser.Of(olivia);
        foreach (var name in Names)
        {
            Assert.True((await browser.App.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(actor,
                new SecretDraft(name, "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = "value-of-" + name + "-12345" })))).IsOk);
        }

        Assert.True((await browser.App.WithServiceAsync<IntegrationService, Result<IntegrationDetails>>(s => s.SaveAsync(actor, null, null,
            new IntegrationDraft("Charge", "GET", "https://api.example.com/charge?k={{secrets.ALPHA_2}}", "", "")))).IsOk);

        var page = await browser.NewPageAsync();
        await page.GotoAsync("/Account/SignIn");
        await page.GetByLabel("Email").FillAsync("olivia@acme.test");
        await page.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#secrets-grid[data-loaded=true]")).ToBeAttachedAsync();
        await Expect(page.GetByTestId("bulk-bar")).ToBeHiddenAsync();

        // "Select all" in the header selects only the rows the search leaves.
        await page.Locator("#quick-search").FillAsync("beta");
        await Expect(Row(page, "ALPHA_1")).ToHaveCountAsync(0);
        await page.Locator(".ag-header-cell[col-id=ag-Grid-SelectionColumn] input").ClickAsync();
        await Expect(page.GetByTestId("bulk-count")).ToHaveTextAsync("2 selected");
        await page.Locator("#quick-search").FillAsync("");
        await Expect(Row(page, "ALPHA_1")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("bulk-count")).ToHaveTextAsync("2 selected");
        await page.GetByRole(AriaRole.Button, new() { Name = "Clear selection" }).ClickAsync();
        await Expect(page.GetByTestId("bulk-bar")).ToBeHiddenAsync();

        // A click on a checkbox, then a shift-click on another: the range between them.
        await Checkbox(page, "ALPHA_1").ClickAsync();
        await Checkbox(page, "ALPHA_3").ClickAsync(new() { Modifiers = [KeyboardModifier.Shift] });
        await Expect(page.GetByTestId("bulk-count")).ToHaveTextAsync("3 selected");
        // Clicking a row elsewhere opens its editor and keeps the selection.
        await Row(page, "BETA_1").Locator("[col-id=name]").ClickAsync();
        await Expect(page.Locator("#editor")).ToContainTextAsync("BETA_1");
        await Expect(page.GetByTestId("bulk-count")).ToHaveTextAsync("3 selected");

        await page.GetByTestId("bulk-delete").ClickAsync();
        var dialog = page.Locator("#delete-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.Locator("h2")).ToHaveTextAsync("Delete 3 secrets?");
        await Expect(dialog.GetByTestId("bulk-names").Locator("li")).ToHaveTextAsync(["ALPHA_1", "ALPHA_2", "ALPHA_3"]);
        await Expect(dialog.GetByTestId("breaks-integrations")).ToContainTextAsync("Charge (uses ALPHA_2)");
        var submit = dialog.GetByRole(AriaRole.Button, new() { Name = "Delete 3 secrets" });
        await Expect(submit).ToBeDisabledAsync();
        await dialog.GetByLabel("Type delete to confirm").FillAsync("delete");
        await BrowserApp.ScreenshotAsync(page, "bulk-delete-dialog");
        await submit.ClickAsync();

        await Expect(dialog.GetByTestId("bulk-done")).ToContainTextAsync("3 secrets were moved to the Trash.");
        await Expect(page.Locator("#toasts")).ToContainTextAsync("3 secrets moved to the Trash.");
        foreach (var name in new[] { "ALPHA_1", "ALPHA_2", "ALPHA_3" }) await Expect(Row(page, name)).ToHaveCountAsync(0);
        await Expect(Row(page, "BETA_1")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("bulk-bar")).ToBeHiddenAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        browser.AssertNoConsoleErrors();
    }
}
