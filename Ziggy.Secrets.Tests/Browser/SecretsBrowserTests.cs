using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

public sealed class SecretsBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    private static readonly string StripeKey = "sk_live_" + new string('x', 95) + "RgA1";

    private async Task<IPage> SignInAsync(string email)
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/Account/SignIn");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#secrets-grid[data-loaded=true]")).ToBeAttachedAsync();
        return page;
    }

    private static ILocator Row(IPage page, string name) =>
        page.Locator(".ag-row").Filter(new() { Has = page.Locator("[col-id=name]", new() { HasTextString = name }) });

    private static async Task<string> CellAsync(IPage page, string name, string column) =>
        (await Row(page, name).Locator($"[col-id={column}]").TextContentAsync())!.Trim();

    [BrowserFact]
    public async Task Secrets_AddEditDeleteAndNonOwnerView_BehaveAsSpecified()
    {
        var owner = await browser.App.SetUpAsync("olivia@acme.test");
        await browser.App.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        var page = await SignInAsync("olivia@acme.test");
        await BrowserApp.MarkWindowAsync(page);

        // Add Secret: the name is upper-cased as the user types.
        await page.GetByTestId("add-secret").ClickAsync();
        await Expect(page.GetByPlaceholder("STRIPE_API_KEY")).ToBeVisibleAsync();
        await page.GetByLabel("Name").PressSequentiallyAsync("stripe_api_key");
        await Expect(page.GetByLabel("Name")).ToHaveValueAsync("STRIPE_API_KEY");
        await page.GetByLabel("Description").FillAsync("Live Stripe key");
        await page.GetByLabel("Development").FillAsync(StripeKey);
        await page.GetByLabel("Production").FillAsync("prod-value-1234567890");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create secret" }).ClickAsync();

        // The grid shows the columns and Yes/No, and the new row arrives without a page load.
        await Expect(Row(page, "STRIPE_API_KEY")).ToBeVisibleAsync();
        var headers = await page.Locator(".ag-header-cell-text").AllTextContentsAsync();
        // First the selection column (its header holds the select-all checkbox, no text).
        Assert.Equal(["", "Name", "Description", "Dev", "Staging", "Prod", "Prod = other env", "Owner", "Created"], headers.Select(h => h.Trim()));
        Assert.Equal("Yes", await CellAsync(page, "STRIPE_API_KEY", "dev"));
        Assert.Equal("No", await CellAsync(page, "STRIPE_API_KEY", "staging"));
        Assert.Equal("Yes", await CellAsync(page, "STRIPE_API_KEY", "prod"));
        Assert.Equal("Olivia Owner", await CellAsync(page, "STRIPE_API_KEY", "owner"));
        Assert.True(await BrowserApp.SameWindowAsync(page), "Creating the secret loaded the page again.");

        // A load asks for the rows once: the grid takes the response the page preloaded.
        var rowRequests = 0;
        page.Request += (_, r) => rowRequests += r.Url.Contains("handler=Rows", StringComparison.Ordinal) ? 1 : 0;
        await page.ReloadAsync();
        await Expect(page.Locator("#secrets-grid[data-loaded=true]")).ToBeAttachedAsync();
        Assert.Equal(1, rowRequests);
        Assert.Equal(["link"], await page.EvaluateAsync<string[]>(
            "() => performance.getEntriesByType('resource').filter(e => e.name.includes('handler=Rows')).map(e => e.initiatorType)"));

        // A row click opens edit mode: UUID read-only, masks, never the value.
        await BrowserApp.MarkWindowAsync(page);
        await Row(page, "STRIPE_API_KEY").Locator("[col-id=name]").ClickAsync();
        var idBox = page.GetByTestId("secret-id");
        await Expect(idBox).ToHaveValueAsync(new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"));
        Assert.True(await idBox.EvaluateAsync<bool>("e => e.readOnly"));
        await Expect(page.GetByTestId("mask-Development")).ToHaveTextAsync("sk_live_***RgA1");
        await Expect(page.GetByTestId("mask-Staging")).ToHaveTextAsync("not set");
        Assert.DoesNotContain(StripeKey, await page.ContentAsync());
        await BrowserApp.ScreenshotAsync(page, "secrets-editor");

        // Editing one environment sends only that environment.
        await page.GetByLabel("Staging").FillAsync("staging-value-abcdef");
        var request = await page.RunAndWaitForRequestAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync(),
            r => r.Method == "POST" && r.Url.Contains("handler=Save"));
        var body = Uri.UnescapeDataString(request.PostData ?? "");
        Assert.Contains("Input.Staging=staging-value-abcdef", body);
        Assert.DoesNotContain("Input.Development", body);
        Assert.DoesNotContain("Input.Production", body);
        await Expect(page.GetByTestId("mask-Staging")).ToHaveTextAsync("stagi***ef");
        await Expect(Row(page, "STRIPE_API_KEY").Locator("[col-id=staging]")).ToHaveTextAsync("Yes");
        Assert.True(await BrowserApp.SameWindowAsync(page), "Opening and saving the editor loaded the page again.");

        // Quick search narrows the grid.
        await browser.App.WithServiceAsync<Web.Secrets.SecretService, bool>(async s =>
            (await s.CreateAsync(new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia"),
                new("GITHUB_TOKEN", "", new Dictionary<Web.Crypto.SecretEnvironment, string>()))).IsOk);
        await page.ReloadAsync();
        await Expect(Row(page, "GITHUB_TOKEN")).ToBeVisibleAsync();
        await page.GetByLabel("Search secrets").FillAsync("stripe");
        await Expect(Row(page, "GITHUB_TOKEN")).ToHaveCountAsync(0);
        await Expect(Row(page, "STRIPE_API_KEY")).ToBeVisibleAsync();
        // Every word must appear, in the name, the description or the owner, in any case.
        await page.GetByLabel("Search secrets").FillAsync("OLIVIA  stripe");
        await Expect(Row(page, "STRIPE_API_KEY")).ToBeVisibleAsync();
        await Expect(Row(page, "GITHUB_TOKEN")).ToHaveCountAsync(0);
        await page.GetByLabel("Search secrets").FillAsync("olivia token");
        await Expect(Row(page, "GITHUB_TOKEN")).ToBeVisibleAsync();
        await Expect(Row(page, "STRIPE_API_KEY")).ToHaveCountAsync(0);
        await page.GetByLabel("Search secrets").FillAsync("stripe nowhere");
        await Expect(Row(page, "STRIPE_API_KEY")).ToHaveCountAsync(0);
        await page.GetByLabel("Search secrets").FillAsync("");
        await Expect(Row(page, "GITHUB_TOKEN")).ToBeVisibleAsync();

        // A member who does not own it sees the amber banner and nothing she can use.
        var mia = await SignInAsync("mia@acme.test");
        await Row(mia, "STRIPE_API_KEY").Locator("[col-id=name]").ClickAsync();
        var banner = mia.GetByTestId("owner-banner");
        await Expect(banner).ToHaveTextAsync("Only Olivia Owner can modify this secret");
        var background = await banner.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.Equal("rgb(255, 244, 214)", background);
        foreach (var label in new[] { "Name", "Description", "Development", "Staging", "Production" })
            await Expect(mia.GetByLabel(label, new() { Exact = true })).ToBeDisabledAsync();
        await Expect(mia.GetByRole(AriaRole.Button, new() { Name = "Save changes" })).ToBeDisabledAsync();
        await Expect(mia.GetByTestId("open-delete")).ToBeDisabledAsync();
        await Expect(mia.GetByTestId("secret-history")).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(mia, "secrets-non-owner");

        // Transfer ownership: the section lists the members once it is opened; the grid and the editor follow.
        await Row(page, "STRIPE_API_KEY").Locator("[col-id=name]").ClickAsync();
        await Expect(page.Locator("#NewOwnerId option")).ToHaveCountAsync(1);
        // The audit history is read when its section opens.
        await Expect(page.GetByTestId("audit-history")).ToHaveCountAsync(0);
        await page.GetByTestId("secret-history").Locator("> summary").ClickAsync();
        await Expect(page.GetByTestId("audit-history")).ToContainTextAsync("Secret created");
        await page.GetByTestId("transfer-section").Locator("> summary").ClickAsync();
        await Expect(page.Locator("#NewOwnerId option")).ToHaveCountAsync(2);
        await page.GetByLabel("Transfer ownership to").SelectOptionAsync(new SelectOptionValue { Label = "Mia Member (mia@acme.test)" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Transfer ownership", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("owner")).ToHaveTextAsync("Mia Member");
        await Expect(Row(page, "STRIPE_API_KEY").Locator("[col-id=owner]")).ToHaveTextAsync("Mia Member");

        // Delete: the button enables only for exactly "delete".
        await Row(page, "STRIPE_API_KEY").Locator("[col-id=name]").ClickAsync();
        await page.GetByTestId("open-delete").ClickAsync();
        var confirm = page.GetByLabel("Type delete to confirm");
        var destroy = page.GetByRole(AriaRole.Button, new() { Name = "Delete secret" });
        await Expect(destroy).ToBeDisabledAsync();
        foreach (var almost in new[] { "Delete", "DELETE", "delete ", " delete", "delet" })
        {
            await confirm.FillAsync(almost);
            await Expect(destroy).ToBeDisabledAsync();
        }

        await confirm.FillAsync("delete");
        await Expect(destroy).ToBeEnabledAsync();
        await destroy.ClickAsync();
        await Expect(Row(page, "STRIPE_API_KEY")).ToHaveCountAsync(0);
        await Expect(page.Locator("#delete-dialog")).Not.ToBeVisibleAsync();
        Assert.Equal(0, await browser.App.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Secrets, s => s.Name == "STRIPE_API_KEY")));
        browser.AssertNoConsoleErrors();
    }
}
