using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

public sealed class TwoFactorBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    [BrowserFact]
    public async Task TwoFactor_EnrolSignOutAndSignInWithPasswordAndCode_WorksInARealBrowser()
    {
        await browser.App.SetUpAsync("olivia@acme.test");
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/Account/SignIn");
        await page.GetByLabel("Email").FillAsync("olivia@acme.test");
        await page.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync("Olivia Owner");

        // 1. Enrol: the QR code is drawn (the CSP lets a data: image through), the key is read off the page as a person would.
        await page.GetByRole(AriaRole.Link, new() { Name = "Two-factor" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Set up an authenticator app" }).ClickAsync();
        var qr = page.Locator("img.qr-code");
        await Expect(qr).ToBeVisibleAsync();
        Assert.True(await qr.EvaluateAsync<int>("img => img.naturalWidth") > 0, "The QR code image did not load.");
        var key = (await page.GetByTestId("authenticator-key").TextContentAsync())!.Replace(" ", "", StringComparison.Ordinal);
        await BrowserApp.ScreenshotAsync(page, "two-factor-setup");
        await page.GetByLabel("Code from the app").FillAsync(Totp.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on two-factor sign-in" }).ClickAsync();
        var codes = page.GetByTestId("recovery-codes").Locator("li");
        await Expect(codes).ToHaveCountAsync(10);
        await BrowserApp.ScreenshotAsync(page, "two-factor-recovery-codes");

        // 2. Sign out, then in again: the password leads to the code step, the code to the app.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/Account/SignIn"));
        await page.GetByLabel("Email").FillAsync("olivia@acme.test");
        await page.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/Account/SignInTwoFactor"));
        await Expect(page.GetByTestId("user-name")).ToHaveCountAsync(0);
        await page.GetByLabel("Authentication code").FillAsync(Totp.Code(key, 1));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync("Olivia Owner");

        await page.GetByRole(AriaRole.Link, new() { Name = "Two-factor" }).ClickAsync();
        await Expect(page.GetByTestId("two-factor-status")).ToContainTextAsync("10 of 10 recovery codes left");
        browser.AssertNoConsoleErrors();
    }
}
