using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

public sealed class TrashBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    private static ILocator Row(IPage page, string name) =>
        page.Locator(".ag-row").Filter(new() { Has = page.Locator("[col-id=name]", new() { HasTextString = name }) });

    [BrowserFact]
    public async Task DeleteThenRestoreFromTheTrash_SecretIsBackInTheGrid()
    {
        await browser.App.SetUpAsync("olivia@acme.test");
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/Account/SignIn");
        await page.GetByLabel("Email").FillAsync("olivia@acme.test");
        await page.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#secrets-grid[data-loaded=true]")).ToBeAttachedAsync();

        await page.GetByTestId("add-secret").ClickAsync();
        await page.GetByLabel("Name").PressSequentiallyAsync("stripe_api_key");
        await page.GetByLabel("Development").FillAsync("sk_live_browser_trash_value_1234");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create secret" }).ClickAsync();
        await Expect(Row(page, "STRIPE_API_KEY")).ToBeVisibleAsync();

        // Delete: it leaves the grid, and the dialog says where it goes.
        await page.GetByTestId("open-delete").ClickAsync();
        await Expect(page.Locator("#delete-dialog")).ToContainTextAsync("Trash");
        await page.GetByLabel("Type delete to confirm").FillAsync("delete");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete secret" }).ClickAsync();
        await Expect(Row(page, "STRIPE_API_KEY")).ToHaveCountAsync(0);
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Secret STRIPE_API_KEY moved to the Trash.");

        // The Trash lists it; Restore brings it back.
        await page.GetByTestId("trash-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Secrets/Trash$"));
        var item = page.GetByTestId("trash-row").Filter(new() { HasTextString = "STRIPE_API_KEY" });
        await Expect(item).ToContainTextAsync("Olivia Owner");
        await BrowserApp.ScreenshotAsync(page, "trash-listed");
        await item.GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Expect(page.GetByTestId("trash-message")).ToHaveTextAsync("STRIPE_API_KEY was restored to the Secrets page.");
        await Expect(page.Locator("#toasts")).ToContainTextAsync("STRIPE_API_KEY was restored to the Secrets page.");
        await Expect(page.GetByTestId("trash-empty")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "trash-restored");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to Secrets" }).ClickAsync();
        await Expect(Row(page, "STRIPE_API_KEY")).ToBeVisibleAsync();

        // Deleted again, then deleted for good from the Trash: the toast names it.
        await Row(page, "STRIPE_API_KEY").Locator("[col-id=name]").ClickAsync();
        await page.GetByTestId("open-delete").ClickAsync();
        await page.GetByLabel("Type delete to confirm").FillAsync("delete");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete secret" }).ClickAsync();
        await Expect(Row(page, "STRIPE_API_KEY")).ToHaveCountAsync(0);
        await page.GetByTestId("trash-link").ClickAsync();
        var again = page.GetByTestId("trash-row").Filter(new() { HasTextString = "STRIPE_API_KEY" });
        await again.GetByText("Delete permanently…").ClickAsync();
        await again.GetByLabel("Type delete to delete STRIPE_API_KEY and its values for good").FillAsync("delete");
        await again.GetByRole(AriaRole.Button, new() { Name = "Delete permanently" }).ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("STRIPE_API_KEY was deleted permanently.");
        await Expect(page.GetByTestId("trash-row")).ToHaveCountAsync(0);
        browser.AssertNoConsoleErrors();
    }
}
