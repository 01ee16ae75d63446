using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

public sealed class ValueHistoryBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    private const string First = "postgres://app:first-password@db/app";
    private const string Second = "postgres://app:second-password@db/app";

    private static ILocator Row(IPage page, string name) =>
        page.Locator(".ag-row").Filter(new() { Has = page.Locator("[col-id=name]", new() { HasTextString = name }) });

    [BrowserFact]
    public async Task History_RestoreAnEarlierVersion_AndSaveAWarnedValueAnyway_InTheEditor()
    {
        var owner = await browser.App.SetUpAsync("olivia@acme.test");
        var actor = new CurrentUser(owner.Id, owner.OrganizationId, owner.Role, owner.DisplayName);
        var created = (await browser.App.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.CreateAsync(actor,
            new SecretDraft("DATABASE_URL", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Staging] = Second, [SecretEnvironment.Production] = First })))).Value!;
        await browser.App.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.UpdateAsync(actor, created.Id,
            new SecretChanges(created.Version, "DATABASE_URL", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Production] = Second })));

        var page = await browser.NewPageAsync();
        await page.GotoAsync("/Account/SignIn");
        await page.GetByLabel("Email").FillAsync("olivia@acme.test");
        await page.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#secrets-grid[data-loaded=true]")).ToBeAttachedAsync();

        // Staging and Production hold the same value: the grid's flag and the editor say so, by fingerprint.
        await Expect(Row(page, "DATABASE_URL").Locator("[col-id=prodShared]")).ToHaveTextAsync("Yes");
        await Row(page, "DATABASE_URL").Locator("[col-id=name]").ClickAsync();
        await Expect(page.GetByTestId("same-values")).ToHaveTextAsync("Staging and Production have the same value.");
        var productionMask = (await page.GetByTestId("mask-Production").TextContentAsync())!.Trim();

        // The history, newest first; version 1 can be restored.
        await page.GetByTestId("history-Production").ClickAsync();
        await Expect(page.Locator("[data-testid=history-table-Production] tbody tr")).ToHaveCountAsync(2);
        await page.GetByTestId("restore-Production-1").ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Production value of DATABASE_URL restored from version 1.");

        await Expect(page.GetByTestId("same-values")).ToHaveCountAsync(0);
        await Expect(Row(page, "DATABASE_URL").Locator("[col-id=prodShared]")).ToHaveTextAsync("No");
        await page.GetByTestId("history-Production").ClickAsync();
        await Expect(page.Locator("[data-testid=history-table-Production] tbody tr")).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("version-Production-3")).ToContainTextAsync("(current) · restored from 1");
        Assert.Equal(productionMask, (await page.GetByTestId("mask-Production").TextContentAsync())!.Trim());
        var resolved = await browser.App.WithServiceAsync<SecretValueResolver, Web.Common.Result<IReadOnlyList<ResolvedValue>>>(r =>
            r.ResolveAsync(owner.OrganizationId, ["DATABASE_URL"], SecretEnvironment.Production, _ => Task.FromResult<IReadOnlyList<string>>([])));
        Assert.Equal(First, resolved.Value!.Single().Value);

        // A value with a stray trailing space is not stored at first: the warning appears next to it, the field keeps it.
        await page.GetByLabel("Development").FillAsync("dev-password-123 ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByTestId("warning-Development")).ToContainTextAsync("ends with a space");
        await Expect(page.GetByLabel("Development")).ToHaveValueAsync("dev-password-123 ");
        await page.GetByTestId("confirm-Development").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByTestId("mask-Development")).ToContainTextAsync("dev-***3");

        var html = await page.ContentAsync();
        Assert.DoesNotContain(First, html);
        Assert.DoesNotContain(Second, html);
        Assert.DoesNotContain("dev-password-123", html);
        browser.AssertNoConsoleErrors();
    }
}
