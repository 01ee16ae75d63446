using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

public sealed class PasswordResetBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    [BrowserFact]
    public async Task ResetLink_AdminCopiesItMemberOpensItAndChoosesANewPassword()
    {
        var owner = await browser.App.SetUpAsync("olivia@acme.test");
        var mia = await browser.App.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");

        // The admin makes a link in Mia's row (htmx swaps the row); the page completes it with its own origin.
        var admin = await browser.NewPageAsync();
        await admin.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await admin.GotoAsync("/Account/SignIn");
        await admin.GetByLabel("Email").FillAsync("olivia@acme.test");
        await admin.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Signed in, and the page after it loaded, before leaving it (as BrowserApp's own sign-in waits).
        await Expect(admin.GetByTestId("user-name")).ToBeAttachedAsync();
        await admin.WaitForLoadStateAsync();
        await BrowserApp.FollowAsync(admin.GetByRole(AriaRole.Link, new() { Name = "Team" }), "**/Team");
        await admin.Locator($"#member-{mia.Id}").GetByRole(AriaRole.Button, new() { Name = "Create reset link" }).ClickAsync();
        var linkBox = admin.GetByTestId("reset-link");
        await Expect(linkBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(
            "^" + System.Text.RegularExpressions.Regex.Escape(browser.BaseUrl) + "/Account/ResetPassword#"));
        await admin.Locator($"#member-{mia.Id}").GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Expect(admin.Locator($"#member-{mia.Id}").GetByRole(AriaRole.Button, new() { Name = "Copied" })).ToBeVisibleAsync();
        var link = await admin.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.Equal(await linkBox.InputValueAsync(), link);
        await BrowserApp.ScreenshotAsync(admin, "team-reset-link");

        // Mia opens it: the script moves the token from the fragment into the form and out of the address bar.
        var member = await browser.NewPageAsync();
        await member.GotoAsync(link);
        await Expect(member).ToHaveURLAsync(browser.BaseUrl + "/Account/ResetPassword");
        await member.GetByLabel("Password", new() { Exact = true }).FillAsync("mia's brand new password");
        await member.GetByLabel("Confirm password").FillAsync("mia's brand new password");
        await member.GetByRole(AriaRole.Button, new() { Name = "Set new password" }).ClickAsync();
        await Expect(member.GetByText("Your password was changed")).ToBeVisibleAsync();

        await member.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await member.GetByLabel("Email").FillAsync("mia@acme.test");
        await member.GetByLabel("Password").FillAsync("mia's brand new password");
        await member.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(member.GetByTestId("user-name")).ToHaveTextAsync("Mia Member");
        browser.AssertNoConsoleErrors();
    }
}
