using System.Text;
using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

/// <summary>The whole import in Chromium: paste or choose a file, preview, deselect, accept a name fix, apply.</summary>
public sealed class ImportBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    private Task<IPage> SignedInAsync(int width, int height) => ImportPages.SignedInAsync(browser, width, height);

    private static readonly string Stripe = "sk_live_" + Guid.NewGuid().ToString("N");
    private static readonly string Token = "gh_" + Guid.NewGuid().ToString("N");
    private static readonly string CertLine2 = "cert-" + Guid.NewGuid().ToString("N");
    private static readonly string Skipped = "skipped-" + Guid.NewGuid().ToString("N");
    private static readonly string Fixed = "fixed-" + Guid.NewGuid().ToString("N");
    private static string DotEnv => string.Join("\n",
        "# production keys for billing",
        $"export STRIPE_KEY={Stripe}",
        $"GITHUB_TOKEN=\"first-{Guid.NewGuid():N}\"",
        $"GITHUB_TOKEN=\"{Token}\"",
        "TLS_CERT=\"-----BEGIN CERTIFICATE-----",
        CertLine2,
        "-----END CERTIFICATE-----\"",
        "EMPTY_KEY=",
        $"SKIPPED_KEY={Skipped}",
        $"stripe-webhook={Fixed}",
        "this line is not an assignment",
        "");

    private static ILocator Row(IPage page, string name) =>
        page.Locator(".ag-row").Filter(new() { Has = page.Locator("[col-id=name]", new() { HasTextString = name }) });

    [BrowserFact]
    public async Task PasteAnEnvFile_PreviewDeselectAcceptAFix_Apply_TheGridShowsThemAndNoValueReachedThePage()
    {
        var olivia = await browser.App.SetUpAsync("olivia@acme.test");
        Assert.True((await browser.App.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(CurrentUser.Of(olivia),
            new SecretDraft("GITHUB_TOKEN", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Production] = "old-token-0123456789" })))).IsOk);

        var page = await SignedInAsync(1366, 900);
        var answers = new List<IResponse>();
        page.Response += (_, response) => answers.Add(response);

        await page.GetByTestId("import-button").ClickAsync();
        var dialog = page.Locator("#import-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByTestId("import-text").FillAsync(DotEnv);
        await dialog.GetByTestId("import-environment").SelectOptionAsync("Production");
        await dialog.GetByTestId("import-preview-button").ClickAsync();

        var rows = dialog.GetByTestId("import-rows");
        await Expect(rows).ToBeVisibleAsync();
        await Expect(dialog.GetByTestId("import-summary")).ToContainTextAsync("3 to create, 1 to update, 0 unchanged, 1 with an invalid name");
        await Expect(rows.Locator("tr[data-name=STRIPE_KEY]")).ToContainTextAsync("Create");
        await Expect(rows.Locator("tr[data-name=GITHUB_TOKEN]")).ToContainTextAsync("Update");
        await Expect(rows.Locator("tr[data-name=TLS_CERT]")).ToContainTextAsync("Create");
        await Expect(rows.Locator("tr[data-name=stripe-webhook]")).ToContainTextAsync("STRIPE_WEBHOOK");
        var notes = await dialog.GetByTestId("import-notes").InnerTextAsync();
        Assert.Contains("line 8", notes); // EMPTY_KEY= is skipped, and said so
        Assert.Contains("line 11", notes); // the line that is not an assignment
        Assert.Contains("GITHUB_TOKEN", notes); // the duplicate: the last one wins
        await Accessibility.AssertNoSeriousViolationsAsync(page, "import preview");
        await BrowserApp.ScreenshotAsync(page, "import-preview");

        await rows.Locator("tr[data-name=SKIPPED_KEY] input[name='Input.Selected']").UncheckAsync();
        await rows.Locator("tr[data-name=stripe-webhook] input[name='Input.Accept']").CheckAsync();
        await dialog.GetByTestId("import-apply").ClickAsync();

        await Expect(dialog.GetByTestId("import-outcome")).ToContainTextAsync("3 created, 1 updated");
        await Expect(page.GetByTestId("toasts")).ToContainTextAsync("Imported");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        foreach (var name in new[] { "STRIPE_KEY", "TLS_CERT", "STRIPE_WEBHOOK", "GITHUB_TOKEN" }) await Expect(Row(page, name)).ToBeVisibleAsync();
        await Expect(Row(page, "SKIPPED_KEY")).ToHaveCountAsync(0);
        await Expect(Row(page, "EMPTY_KEY")).ToHaveCountAsync(0);

        // The values went into the database (as the integrations read them), and nowhere into the page or an answer.
        Assert.Equal(CertLine2, (await ResolveAsync(olivia, "TLS_CERT")).Split('\n')[1]);
        Assert.Equal(Token, await ResolveAsync(olivia, "GITHUB_TOKEN"));
        Assert.Equal(Fixed, await ResolveAsync(olivia, "STRIPE_WEBHOOK"));
        var html = await page.ContentAsync();
        var bodies = new List<string>();
        foreach (var answer in answers)
        {
            try
            {
                bodies.Add(Encoding.UTF8.GetString(await answer.BodyAsync()));
            }
            catch (PlaywrightException)
            {
                // A redirect or an answer the browser no longer holds has no body to read.
            }
        }

        Assert.True(bodies.Count > 3, $"{bodies.Count} answers read");
        foreach (var value in new[] { Stripe, Token, CertLine2, Skipped, Fixed })
        {
            Assert.DoesNotContain(value, html);
            Assert.All(bodies, body => Assert.DoesNotContain(value, body));
        }

        browser.AssertNoConsoleErrors();
    }

    private Task<string> ResolveAsync(ApplicationUser owner, string name) =>
        browser.App.WithServiceAsync<SecretValueResolver, string>(async r =>
        {
            var resolved = await r.ResolveAsync(owner.OrganizationId, [name], SecretEnvironment.Production, _ => Task.FromResult<IReadOnlyList<string>>([]));
            Assert.True(resolved.IsOk, string.Join("; ", resolved.Errors.Select(e => e.Message)));
            return resolved.Value!.Single().Value;
        });
}

/// <summary>Importing a chosen file, in its own app (one first-run setup per app).</summary>
public sealed class ImportFileBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    private static readonly string FromFile = "file-" + Guid.NewGuid().ToString("N");

    [BrowserFact]
    public async Task ChooseAJsonFile_ItIsReadInTheBrowser_PreviewedAndImported()
    {
        await browser.App.SetUpAsync("olivia@acme.test");
        var page = await ImportPages.SignedInAsync(browser, 1366, 900);
        await page.GetByTestId("import-button").ClickAsync();
        var dialog = page.Locator("#import-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await ImportPages.AssertNoSideScrollAsync(page, "import dialog");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "import dialog");

        await dialog.GetByTestId("import-file").SetInputFilesAsync(new FilePayload
        {
            Name = "staging.json", MimeType = "application/json", Buffer = Encoding.UTF8.GetBytes($$"""{ "FILE_KEY": "{{FromFile}}", "OTHER_FILE_KEY": "x-{{FromFile}}" }"""),
        });
        await Expect(dialog.GetByTestId("import-text")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("FILE_KEY"));
        await dialog.GetByTestId("import-preview-button").ClickAsync();
        await Expect(dialog.GetByTestId("import-summary")).ToContainTextAsync("JSON");
        await Expect(dialog.GetByTestId("import-summary")).ToContainTextAsync("2 to create");
        await ImportPages.AssertNoSideScrollAsync(page, "import preview of a file");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "import preview of a file");
        await BrowserApp.ScreenshotAsync(page, "import-preview-file");
        Assert.DoesNotContain(FromFile, await page.ContentAsync());

        await dialog.GetByTestId("import-apply").ClickAsync();
        await Expect(dialog.GetByTestId("import-outcome")).ToContainTextAsync("2 created");
        browser.AssertNoConsoleErrors();
    }

}

internal static class ImportPages
{
    public static async Task<IPage> SignedInAsync(BrowserApp browser, int width, int height)
    {
        var page = await browser.SignedInPageAsync("olivia@acme.test", width, height);
        await page.GotoAsync("/Secrets");
        await Expect(page.Locator("#secrets-grid[data-loaded=true]")).ToBeAttachedAsync();
        return page;
    }

    public static async Task AssertNoSideScrollAsync(IPage page, string state) =>
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
            $"{state}: the page scrolls sideways");

}
