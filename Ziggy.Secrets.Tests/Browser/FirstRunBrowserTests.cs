using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

public sealed class FirstRunBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    [BrowserFact]
    public async Task FirstRun_SetupInviteAcceptAndSignIn_WorksInARealBrowser()
    {
        // 1. A newcomer opens the app and is led to setup.
        var owner = await browser.NewPageAsync();
        await owner.GotoAsync("/");
        await Expect(owner).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Setup$"));
        await BrowserApp.ScreenshotAsync(owner, "setup");
        await owner.GetByLabel("Organization name").FillAsync("Acme");
        await owner.GetByLabel("Your name").FillAsync("Olivia Owner");
        await owner.GetByLabel("Email").FillAsync("olivia@acme.test");
        await owner.GetByLabel("Password", new() { Exact = true }).FillAsync("olivia's long password");
        await owner.GetByLabel("Confirm password").FillAsync("olivia's long password");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Create organization" }).ClickAsync();
        await Expect(owner.GetByTestId("user-name")).ToHaveTextAsync("Olivia Owner");
        await Expect(owner.GetByTestId("organization-name")).ToHaveTextAsync("Acme");

        // 2. She invites a teammate from the Team page; htmx swaps the link into the form.
        await BrowserApp.FollowAsync(owner.GetByRole(AriaRole.Link, new() { Name = "Team" }), "**/Team");
        await owner.GetByLabel("Email").FillAsync("mia@acme.test");
        await owner.GetByLabel("Role").SelectOptionAsync("Member");
        await BrowserApp.MarkWindowAsync(owner);
        await owner.GetByRole(AriaRole.Button, new() { Name = "Create invitation link" }).ClickAsync();
        var linkBox = owner.GetByTestId("invitation-link");
        await Expect(linkBox).ToBeVisibleAsync();
        Assert.True(await BrowserApp.SameWindowAsync(owner), "Creating the invitation link loaded the page again.");
        // The server sends the link's path (no public URL is configured); the page completes it with the browser's origin.
        await Expect(linkBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(browser.BaseUrl) + "/Invitations/Accept/"));
        var link = await linkBox.InputValueAsync();
        await BrowserApp.ScreenshotAsync(owner, "team-invited");

        // 3. The teammate opens the link in her own browser and joins.
        var mia = await browser.NewPageAsync();
        await mia.GotoAsync(link);
        await Expect(mia.GetByRole(AriaRole.Heading, new() { Name = "Join Acme" })).ToBeVisibleAsync();
        await mia.GetByLabel("Your name").FillAsync("Mia Member");
        await mia.GetByLabel("Password", new() { Exact = true }).FillAsync("mia's long password");
        await mia.GetByLabel("Confirm password").FillAsync("mia's long password");
        await mia.GetByRole(AriaRole.Button, new() { Name = "Join Acme" }).ClickAsync();
        await Expect(mia.GetByTestId("user-name")).ToHaveTextAsync("Mia Member");

        // 4. She signs out and signs in again with the password she chose.
        await mia.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(mia).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/SignIn"));
        await mia.GetByLabel("Email").FillAsync("mia@acme.test");
        await mia.GetByLabel("Password").FillAsync("mia's long password");
        await mia.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(mia.GetByTestId("user-name")).ToHaveTextAsync("Mia Member");
        Assert.Equal("Member", await mia.Locator(".role-badge").TextContentAsync());

        // 5. The owner sees her on the Team page.
        await owner.ReloadAsync();
        await Expect(owner.Locator("table.members")).ToContainTextAsync("Mia Member");
        browser.AssertNoConsoleErrors();
    }
}
