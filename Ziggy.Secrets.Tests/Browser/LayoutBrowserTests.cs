using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

/// <summary>
/// The cross-page sweep: every page a signed-in SuperAdmin (and a Member) can reach, at a desktop and a phone size:
/// no sideways page scroll, the navigation reachable, axe without serious or critical violations, no console errors.
/// Failures of every page are gathered so one run names them all.
/// </summary>
public sealed class LayoutBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    private static readonly string[] SuperAdminPages =
    [
        "/Secrets", "/Secrets/Trash", "/Integrations", "/Integrations/Edit", "/Integrations/Tokens", "/Team", "/Audit",
        "/Organizations", "/Account/Sessions", "/Account/TwoFactor", "/Account/ChangePassword",
    ];

    [BrowserFact]
    public Task EveryPage_Desktop_FitsTheWidthHasReachableNavigationAndPassesAxe() => SweepAsync(1366, 900);

    [BrowserFact]
    public Task EveryPage_Phone_FitsTheWidthHasReachableNavigationAndPassesAxe() => SweepAsync(390, 844);

    /// <summary>Between the phone and the desktop sweeps, and beyond them: no page scrolls sideways at any common width.</summary>
    [BrowserFact]
    public async Task EveryPage_From360To1920Pixels_NeverScrollsSideways()
    {
        await EnsureSetUpAsync();
        var failures = new List<string>();
        foreach (var width in new[] { 360, 600, 768, 1024, 1280, 1920 })
        {
            var page = await SignInAsync("owner@acme.test", width, 900);
            foreach (var path in SuperAdminPages)
            {
                await page.GotoAsync(path);
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                var (scroll, client) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"),
                    await page.EvaluateAsync<int>("() => document.documentElement.clientWidth"));
                if (scroll > client) failures.Add($"{path} at {width} px: the page is {scroll} px wide in a {client} px window");
            }

            await page.Context.CloseAsync();
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        browser.AssertNoConsoleErrors();
    }

    private async Task SweepAsync(int width, int height)
    {
        var owner = await EnsureSetUpAsync();
        var failures = new List<string>();

        var signedOut = await browser.NewPageAsync(width, height);
        await signedOut.GotoAsync("/Account/SignIn");
        await CheckAsync(signedOut, $"sign in {width}", failures);

        var page = await SignInAsync("owner@acme.test", width, height);
        foreach (var path in SuperAdminPages)
        {
            await page.GotoAsync(path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await CheckAsync(page, $"{path} {width}", failures);
            await BrowserApp.ScreenshotAsync(page, $"layout-{width}-{path.Trim('/').Replace('/', '-')}");
        }

        var member = await SignInAsync("mia@acme.test", width, height);
        foreach (var path in new[] { "/Secrets", "/Integrations" })
        {
            await member.GotoAsync(path);
            await member.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await CheckAsync(member, $"member {path} {width}", failures);
        }

        // The browser logs every 403 as a console error: the refused page is opened in a context of its own.
        var own = await browser.Browser.NewContextAsync(new() { BaseURL = browser.BaseUrl, ViewportSize = new() { Width = width, Height = height } });
        var refusedPage = await own.NewPageAsync();
        await refusedPage.GotoAsync("/Account/SignIn");
        await refusedPage.GetByLabel("Email").FillAsync("mia@acme.test");
        await refusedPage.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await refusedPage.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(refusedPage.Locator("[data-testid=user-name]")).ToBeAttachedAsync();
        var refused = await refusedPage.GotoAsync("/Audit");
        Assert.Equal(403, refused!.Status);
        await Expect(refusedPage.GetByRole(AriaRole.Heading, new() { Name = "Audit is for Admins" })).ToBeVisibleAsync();
        await CheckAsync(refusedPage, $"member refused /Audit {width}", failures);

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.NotEqual(Guid.Empty, owner);
        browser.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task Menu_Phone_OpensWithTheButtonClosesWithEscapeAndReachesEveryLinkIncludingSignOut()
    {
        await EnsureSetUpAsync();
        var page = await SignInAsync("owner@acme.test", 390, 844);
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Menu" });
        var menu = page.Locator("#main-menu");

        await Expect(button).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(menu).ToBeHiddenAsync();
        await button.ClickAsync();
        await Expect(button).ToHaveAttributeAsync("aria-expanded", "true");
        foreach (var name in new[] { "Secrets", "Integrations", "Team", "Audit", "Organizations", "Sessions", "Two-factor" })
            await Expect(menu.GetByRole(AriaRole.Link, new() { Name = name, Exact = true })).ToBeVisibleAsync();
        await Expect(menu.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true })).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page, "menu open at 390");
        await BrowserApp.ScreenshotAsync(page, "layout-390-menu-open");

        await page.Keyboard.PressAsync("Escape");
        await Expect(menu).ToBeHiddenAsync();
        await Expect(button).ToBeFocusedAsync();

        await button.ClickAsync();
        await menu.GetByRole(AriaRole.Link, new() { Name = "Team", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Team$"));
        await Expect(page.Locator("#main-menu")).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Menu" }).ClickAsync();
        await page.Locator("#main-menu").GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(page.GetByLabel("Password")).ToBeVisibleAsync();
        browser.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task Menu_Desktop_ShowsLinksWithoutAMenuButton()
    {
        await EnsureSetUpAsync();
        var page = await SignInAsync("owner@acme.test", 1366, 900);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Menu" })).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("nav[aria-label=Main]").GetByRole(AriaRole.Link, new() { Name = "Organizations" })).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('.topbar').scrollWidth <= document.querySelector('.topbar').clientWidth"));
    }

    private async Task<Guid> EnsureSetUpAsync()
    {
        var existing = await browser.App.WithDbAsync(db => Task.FromResult(db.Organizations.Select(o => o.Id).FirstOrDefault()));
        if (existing != Guid.Empty) return existing;
        var owner = await browser.App.SetUpAsync();
        await browser.App.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        return owner.OrganizationId;
    }

    private Task<IPage> SignInAsync(string email, int width, int height) => browser.SignedInPageAsync(email, width, height);

    private static async Task CheckAsync(IPage page, string state, List<string> failures)
    {
        var (scroll, client) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"),
            await page.EvaluateAsync<int>("() => document.documentElement.clientWidth"));
        if (scroll > client) failures.Add($"{state}: page scrolls sideways ({scroll} > {client})");
        if (await page.Locator(".topbar").CountAsync() > 0 && await page.Locator("[data-testid=user-name]").CountAsync() > 0)
        {
            var reachable = await page.Locator("[data-testid=menu-button]").IsVisibleAsync()
                || await page.Locator("[data-testid=sign-out]").IsVisibleAsync();
            if (!reachable) failures.Add($"{state}: neither the menu button nor Sign out is visible");
        }

        try
        {
            await Accessibility.AssertNoSeriousViolationsAsync(page, state);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            failures.Add(e.Message);
        }
    }
}
