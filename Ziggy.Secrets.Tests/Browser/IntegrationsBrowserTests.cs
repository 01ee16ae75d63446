using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

/// <summary>The app with private networks allowed, so an integration can reach the loopback stub.</summary>
public sealed class PrivateNetworkBrowserApp() : BrowserApp(new Dictionary<string, string> { ["Ziggy:Integrations:AllowPrivateNetworks"] = "true" });

public sealed class IntegrationsBrowserTests(PrivateNetworkBrowserApp browser) : IClassFixture<PrivateNetworkBrowserApp>
{
    [BrowserFact]
    public async Task Integration_CreateAndRunInDevelopment_ShowsTheRedactedResult()
    {
        await using var stub = await StubServer.StartAsync();
        var canary = "sk_live_BROWSER_CANARY_" + Guid.NewGuid().ToString("N");
        var owner = await browser.App.SetUpAsync("olivia@acme.test");
        await browser.App.WithServiceAsync<Web.Secrets.SecretService, bool>(async s => (await s.CreateAsync(
            new Web.Accounts.CurrentUser(owner.Id, owner.OrganizationId, Web.Accounts.Role.SuperAdmin, "Olivia"),
            new("STRIPE_API_KEY", "", new Dictionary<Web.Crypto.SecretEnvironment, string> { [Web.Crypto.SecretEnvironment.Development] = canary }))).IsOk);

        var page = await browser.NewPageAsync();
        await page.GotoAsync("/Account/SignIn");
        await page.GetByLabel("Email").FillAsync("olivia@acme.test");
        await page.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Integrations" }).ClickAsync();
        await BrowserApp.FollowAsync(page.GetByTestId("new-integration"), "**/Integrations/Edit");
        await page.GetByLabel("Name").FillAsync("Charge customer");
        await page.GetByLabel("Method").SelectOptionAsync("POST");
        await page.GetByLabel("URL").FillAsync(stub.BaseUrl + "/echo");
        await page.GetByLabel("Headers").FillAsync("Authorization: Bearer {{secrets.STRIPE_API_KEY}}");
        // The referenced secrets are listed while typing.
        await Expect(page.Locator("[data-testid=references] tr[data-secret=STRIPE_API_KEY]")).ToContainTextAsync("Yes");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create integration" }).ClickAsync();

        await page.GetByLabel("Environment").SelectOptionAsync("Development");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();

        await Expect(page.GetByTestId("run-status")).ToHaveTextAsync("HTTP 200");
        await Expect(page.GetByTestId("run-body")).ToContainTextAsync("Bearer sk_live_***");
        Assert.DoesNotContain(canary, await page.ContentAsync());
        Assert.Equal("Bearer " + canary, Assert.Single(stub.Received).Headers["Authorization"]);
        await BrowserApp.ScreenshotAsync(page, "integration-run");

        // The history row loads its response only when it is opened.
        await page.ReloadAsync();
        var row = page.Locator("tr[data-run]").First;
        await Expect(row.GetByTestId("run-body")).ToHaveCountAsync(0);
        await row.GetByTestId("run-details").Locator("> summary").ClickAsync();
        await row.GetByTestId("history-response").Locator("> summary").ClickAsync();
        await Expect(row.GetByTestId("run-body")).ToContainTextAsync("Bearer sk_live_***");
        Assert.DoesNotContain(canary, await page.ContentAsync());
        browser.AssertNoConsoleErrors();
    }
}
