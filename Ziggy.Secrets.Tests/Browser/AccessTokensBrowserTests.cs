using System.Net.Http.Headers;
using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

public sealed class AccessTokensBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    [BrowserFact]
    public async Task AccessToken_PickWithSearchCreateCopyUseAndRevoke()
    {
        var canary = "sk_live_TOKEN_BROWSER_CANARY_" + Guid.NewGuid().ToString("N");
        var owner = CurrentUser.Of(await browser.App.SetUpAsync("olivia@acme.test"));
        var kit = new TokenKit(browser.App);
        await kit.SecretAsync(owner, "STRIPE_API_KEY", production: canary);
        await kit.SecretAsync(owner, "SENTRY_DSN", production: "https://sentry.example/1");

        var page = await browser.NewPageAsync();
        await page.GotoAsync("/Account/SignIn");
        await page.GetByLabel("Email").FillAsync("olivia@acme.test");
        await page.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Integrations" }).ClickAsync();
        await BrowserApp.FollowAsync(page.GetByTestId("access-tokens"), "**/Integrations/Tokens");

        // The search box filters as you type; the no-script Filter button is not needed and hidden.
        await Expect(page.Locator("[data-picker-filter]")).ToBeHiddenAsync();
        await page.GetByLabel("Search secrets").FillAsync("stri");
        await Expect(page.GetByTestId("pick-SENTRY_DSN")).ToBeHiddenAsync();
        await page.GetByTestId("pick-STRIPE_API_KEY").CheckAsync();
        // Enter in the search box does not submit the form.
        await page.GetByLabel("Search secrets").PressAsync("Enter");
        await page.GetByLabel("Search secrets").FillAsync("");
        await Expect(page.GetByTestId("pick-SENTRY_DSN")).ToBeVisibleAsync();

        await page.GetByLabel("Purpose").FillAsync("billing-worker");
        await page.GetByLabel("Environment").SelectOptionAsync("Production");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();

        var tokenInput = page.GetByTestId("new-token");
        await Expect(tokenInput).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^zgs_[A-Za-z0-9_-]{43}$"));
        var token = await tokenInput.InputValueAsync();
        var copy = page.Locator("button[data-copy=new-token]");
        await copy.ClickAsync();
        await Expect(copy).Not.ToHaveTextAsync("Copy");
        await Expect(page.GetByTestId("token-row")).ToContainTextAsync("billing-worker");
        await BrowserApp.ScreenshotAsync(page, "access-token-created");

        using var program = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/secrets/STRIPE_API_KEY");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Contains(canary, await (await program.SendAsync(request)).Content.ReadAsStringAsync());

        // Revoke asks first; the row then says Revoked, and the token no longer works.
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GetByTestId("token-row").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(page.GetByTestId("token-row").Locator(".status")).ToContainTextAsync("Revoked");
        Assert.DoesNotContain(token, await page.ContentAsync());
        Assert.DoesNotContain(canary, await page.ContentAsync());
        await BrowserApp.ScreenshotAsync(page, "access-token-revoked");
        browser.AssertNoConsoleErrors();
    }
}
