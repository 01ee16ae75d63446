using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

/// <summary>
/// The Secrets page as a team uses it at a laptop's 1366×900 and a phone's 390×844: keyboard only, never losing an edit,
/// asking before a value goes, pointing out what cannot be seen in a value, saying what happened, a grid that reads.
/// </summary>
public sealed class SecretsExperienceBrowserTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    private const string Canary = "sk_live_EXPERIENCE_CANARY_91c2";
    private const string LongName = "ALGOLIA_ADMIN_API_KEY_EU_WEST1"; // 30 characters

    private async Task<ApplicationUser> SeedAsync()
    {
        if (await browser.App.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "olivia@acme.test")))
            return await browser.App.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == "olivia@acme.test"));
        var owner = await browser.App.SetUpAsync("olivia@acme.test");
        var olivia = new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia Owner");
        foreach (var (name, production) in new[] { (LongName, true), ("DATABASE_URL", false), ("STRIPE_KEY", true) })
        {
            var values = new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = Canary + name };
            if (production) values[SecretEnvironment.Production] = Canary + "-prod-" + name;
            Assert.True(await browser.App.WithServiceAsync<SecretService, bool>(async s => (await s.CreateAsync(olivia, new(name, "", values))).IsOk));
        }

        return owner;
    }

    private async Task<IPage> SecretsPageAsync(int width, int height)
    {
        await SeedAsync();
        var page = await browser.SignedInPageAsync("olivia@acme.test", width, height);
        await page.GotoAsync("/Secrets");
        await Expect(page.Locator("#secrets-grid[data-loaded=true]")).ToBeAttachedAsync();
        await BrowserApp.ScreenshotAsync(page, $"experience-{width}");
        return page;
    }

    private static ILocator Row(IPage page, string name) =>
        page.Locator(".ag-row").Filter(new() { Has = page.Locator("[col-id=name]", new() { HasTextString = name }) });

    private static Task<string> FocusedRowNameAsync(IPage page) =>
        page.EvaluateAsync<string>("() => document.activeElement?.closest('.ag-row')?.querySelector('[col-id=name]')?.textContent?.trim() ?? ''");

    private static async Task AssertNoSideScrollAsync(IPage page, string state) =>
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
            $"{state}: the page scrolls sideways");

    private async Task<string> StoredDescriptionAsync(string name) =>
        await browser.App.WithDbAsync(db => db.Secrets.Where(s => s.Name == name).Select(s => s.Description).SingleAsync());

    [BrowserFact]
    public async Task KeyboardOnly_AddFindOpenChangeSaveAndClose()
    {
        var page = await SecretsPageAsync(1366, 900);

        // Add Secret: focus lands in Name; Tab reaches the value fields; Enter in a single-line field saves.
        await page.GetByTestId("add-secret").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#Input_Name")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("keyboard_flow_token");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#Input_Description")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Made without a mouse");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#Input_Development")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("tok-1234567890-abcdef");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Secret KEYBOARD_FLOW_TOKEN created.");
        // Enter saved the value as typed: no line break was added to it.
        var stored = await browser.App.WithDbAsync(db => db.Secrets.Include(s => s.Values).SingleAsync(s => s.Name == "KEYBOARD_FLOW_TOKEN"));
        Assert.Equal(SecretMask.For("tok-1234567890-abcdef"), stored.ValueFor(SecretEnvironment.Development)!.Mask);
        Assert.Equal("KEYBOARD_FLOW_TOKEN", await FocusedRowNameAsync(page));

        // Escape closes the editor, the grid takes the whole width again and the row keeps the focus.
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByTestId("secret-editor")).ToHaveCountAsync(0);
        Assert.Equal("KEYBOARD_FLOW_TOKEN", await FocusedRowNameAsync(page));

        // Find it: the search box, Enter moves to the first match, Enter opens it.
        await page.Locator("#quick-search").FocusAsync();
        await page.Keyboard.TypeAsync("keyboard flow");
        await Expect(page.Locator(".ag-row")).ToHaveCountAsync(1);
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("KEYBOARD_FLOW_TOKEN", await FocusedRowNameAsync(page));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("secret-editor")).ToHaveAttributeAsync("data-secret-id", stored.Id.ToString());
        await Expect(page.Locator("#Input_Name")).ToBeFocusedAsync();

        // Change a value and save with Enter; then close with Escape.
        var save = page.GetByRole(AriaRole.Button, new() { Name = "Save changes" });
        await Expect(save).ToBeDisabledAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#Input_Development")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("tok-456-rotated");
        await Expect(save).ToBeEnabledAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Secret KEYBOARD_FLOW_TOKEN saved.");
        Assert.Equal("KEYBOARD_FLOW_TOKEN", await FocusedRowNameAsync(page));
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByTestId("secret-editor")).ToHaveCountAsync(0);
        Assert.Equal(stored.Version + 1, await browser.App.WithDbAsync(db => db.Secrets.Where(s => s.Id == stored.Id).Select(s => s.Version).SingleAsync()));

        // Space opens a focused row as well.
        await page.Keyboard.PressAsync("Space");
        await Expect(page.GetByTestId("secret-editor")).ToHaveAttributeAsync("data-secret-id", stored.Id.ToString());
        await Accessibility.AssertNoSeriousViolationsAsync(page, "keyboard flow, editor open");
        Assert.DoesNotContain(Canary, await page.ContentAsync());
        browser.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task UnsavedChanges_SwitchingRowsClosingAndLeaving_AskFirst()
    {
        var page = await SecretsPageAsync(1366, 900);
        await Row(page, "DATABASE_URL").Locator("[col-id=name]").ClickAsync();
        var editor = page.GetByTestId("secret-editor");
        await Expect(editor.Locator("h2")).ToHaveTextAsync("DATABASE_URL");
        var save = page.GetByRole(AriaRole.Button, new() { Name = "Save changes" });
        var mark = page.GetByTestId("unsaved-mark");
        await Expect(save).ToBeDisabledAsync();
        await Expect(mark).ToBeHiddenAsync();

        await page.Locator("#Input_Description").FillAsync("Typed, not saved");
        await Expect(mark).ToBeVisibleAsync();
        await Expect(mark).ToHaveTextAsync("Unsaved changes");
        await Expect(save).ToBeEnabledAsync();

        // Another row: the dialog asks; Keep editing keeps the text and the secret.
        await Row(page, "STRIPE_KEY").Locator("[col-id=name]").ClickAsync();
        var dialog = page.GetByTestId("confirm-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("You have unsaved changes to DATABASE_URL. Discard them?");
        await Expect(page.GetByTestId("confirm-no")).ToBeFocusedAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page, "unsaved changes dialog");
        await page.GetByTestId("confirm-no").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(editor.Locator("h2")).ToHaveTextAsync("DATABASE_URL");
        await Expect(page.Locator("#Input_Description")).ToHaveValueAsync("Typed, not saved");

        // Close and Escape ask too.
        await page.GetByTestId("editor-close").ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape"); // the dialog's own Escape: keep editing
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(page.Locator("#Input_Description")).ToHaveValueAsync("Typed, not saved");

        // Leaving the page: the browser's own question.
        var asked = new TaskCompletionSource<string>();
        page.Dialog += (_, d) =>
        {
            asked.TrySetResult(d.Type);
            _ = d.DismissAsync();
        };
        await page.EvaluateAsync("() => document.querySelector('[data-testid=trash-link]').click()");
        Assert.Equal("beforeunload", await asked.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await Expect(page.Locator("#Input_Description")).ToHaveValueAsync("Typed, not saved");

        // Discard switches, and nothing was written.
        await Row(page, "STRIPE_KEY").Locator("[col-id=name]").ClickAsync();
        await page.GetByTestId("confirm-yes").ClickAsync();
        await Expect(editor.Locator("h2")).ToHaveTextAsync("STRIPE_KEY");
        Assert.Equal("", await StoredDescriptionAsync("DATABASE_URL"));

        // Typing and undoing it is no change: Save is disabled again and switching does not ask.
        await page.Locator("#Input_Description").FillAsync("x");
        await Expect(save).ToBeEnabledAsync();
        await page.Locator("#Input_Description").FillAsync("");
        await Expect(save).ToBeDisabledAsync();
        await Expect(mark).ToBeHiddenAsync();
        await Row(page, LongName).Locator("[col-id=name]").ClickAsync();
        await Expect(editor.Locator("h2")).ToHaveTextAsync(LongName);
        browser.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task RemovingAValue_AsksNamingTheEnvironment_AndSaysItWasRemoved()
    {
        var page = await SecretsPageAsync(1366, 900);
        await Row(page, "STRIPE_KEY").Locator("[col-id=name]").ClickAsync();
        var remove = page.GetByTestId("remove-Production");
        var dialog = page.GetByTestId("confirm-dialog");

        await remove.ClickAsync();
        await Expect(dialog).ToContainTextAsync("Remove the Production value of STRIPE_KEY?");
        await page.GetByTestId("confirm-no").ClickAsync();
        await Expect(remove).Not.ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save changes" })).ToBeDisabledAsync();

        await remove.ClickAsync();
        await Expect(page.GetByTestId("confirm-yes")).ToHaveTextAsync("Remove Production value");
        await page.GetByTestId("confirm-yes").ClickAsync();
        await Expect(remove).ToBeCheckedAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Production value of STRIPE_KEY removed.");
        await Expect(page.GetByTestId("mask-Production")).ToHaveTextAsync("not set");
        await Expect(Row(page, "STRIPE_KEY").Locator("[col-id=prod] .badge.value-no")).ToHaveTextAsync("No");
        browser.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task Whitespace_IsPointedOutBeforeSaving_WithTheChoiceToKeepIt_AndMultiLineKeepsWhatWasTyped()
    {
        var page = await SecretsPageAsync(1366, 900);
        await Row(page, "DATABASE_URL").Locator("[col-id=name]").ClickAsync();
        var version = await browser.App.WithDbAsync(db => db.Secrets.Where(s => s.Name == "DATABASE_URL").Select(s => s.Version).SingleAsync());
        var posts = 0;
        page.Request += (_, r) => { if (r.Method == "POST" && r.Url.Contains("handler=Save")) posts++; };

        await page.Locator("#Input_Staging").FillAsync("tok-123 ");
        await page.Locator("#Input_Staging").PressAsync("Enter");
        var warning = page.GetByTestId("warning-Staging");
        await Expect(warning).ToContainTextAsync("The Staging value ends with a space. Fix it, or tick \"Save anyway\" to store it as it is.");
        Assert.Equal(0, posts);
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Check the highlighted values before saving.");

        // Fixing it clears the warning; an invisible character is named by code point and position, never shown.
        await page.Locator("#Input_Staging").FillAsync("tok-123");
        await Expect(warning).ToBeEmptyAsync();
        await page.Locator("#Input_Staging").FillAsync("tok\u200B123");
        await page.Locator("#Input_Staging").PressAsync("Enter");
        await Expect(warning).ToContainTextAsync("holds an invisible character: a zero-width space (U+200B) at character 4");
        Assert.Equal(0, posts);

        // Keeping it: tick Save anyway; the server stores it as typed.
        await page.GetByTestId("confirm-Staging").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Secret DATABASE_URL saved.");
        Assert.Equal(1, posts);
        Assert.Equal(version + 1, await browser.App.WithDbAsync(db => db.Secrets.Where(s => s.Name == "DATABASE_URL").Select(s => s.Version).SingleAsync()));

        // Multi-line: the field becomes a text area keeping what was typed, and Enter there is a line break, not a save.
        await Row(page, "DATABASE_URL").Locator("[col-id=name]").ClickAsync();
        await page.Locator("#Input_Production").FillAsync("-----BEGIN KEY-----");
        await page.GetByTestId("multiline-Production").CheckAsync();
        var area = page.Locator("textarea#Input_Production");
        await Expect(area).ToHaveValueAsync("-----BEGIN KEY-----");
        await Expect(area).ToBeFocusedAsync();
        await area.PressAsync("End");
        await area.PressAsync("Enter");
        await page.Keyboard.TypeAsync("MIIB-----END KEY-----");
        await Expect(area).ToHaveValueAsync("-----BEGIN KEY-----\nMIIB-----END KEY-----");
        Assert.Equal(1, posts);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Secret DATABASE_URL saved.");
        Assert.Equal(2, posts);
        browser.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task Grid_AtALaptopWidth_FitsNamesAndDates_AmberNo_AllYesNoFilter_OwnWords_AndFullWidthUntilOpened()
    {
        var page = await SecretsPageAsync(1366, 900);
        var row1Organization = (await SeedAsync()).OrganizationId;

        // Full width until a row is opened.
        await Expect(page.Locator("#editor")).ToBeHiddenAsync();
        var gridWidth = await page.Locator(".grid-card").EvaluateAsync<double>("e => e.getBoundingClientRect().width");
        var layoutWidth = await page.Locator(".secrets-layout").EvaluateAsync<double>("e => e.getBoundingClientRect().width");
        Assert.True(gridWidth >= layoutWidth - 1, $"the grid is {gridWidth} px of {layoutWidth} px");

        // A 30-character name, the full created date and every header fit their cells.
        var row = Row(page, LongName);
        foreach (var column in new[] { "name", "created", "dev", "staging", "prod" })
        {
            var (scroll, client) = (await row.Locator($"[col-id={column}]").EvaluateAsync<int>("e => (e.querySelector('.ag-cell-value') || e).scrollWidth"),
                await row.Locator($"[col-id={column}]").EvaluateAsync<int>("e => (e.querySelector('.ag-cell-value') || e).clientWidth"));
            Assert.True(scroll <= client, $"{column}: content {scroll} px in a {client} px cell");
        }

        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", (await row.Locator("[col-id=created]").TextContentAsync())!.Trim());
        var cutHeaders = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.ag-header-cell-text')].filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent)");
        Assert.Empty(cutHeaders);

        // Missing values stand out; the cells keep the words Yes and No (no other test changes this secret's values).
        var no = row.Locator("[col-id=staging] .badge");
        var yes = row.Locator("[col-id=dev] .badge");
        await Expect(no).ToHaveTextAsync("No");
        await Expect(yes).ToHaveTextAsync("Yes");
        Assert.NotEqual(await yes.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"), await no.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        Assert.Equal("rgb(255, 244, 214)", await no.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));

        // The Staging filter: a choice of All, Yes and No.
        await page.Locator(".ag-header-cell[col-id=staging]").HoverAsync();
        await page.Locator(".ag-header-cell[col-id=staging] .ag-header-cell-filter-button, .ag-header-cell[col-id=staging] .ag-header-cell-menu-button").First.ClickAsync();
        var filter = page.Locator(".yes-no-filter");
        await Expect(filter.GetByLabel("All")).ToBeCheckedAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page, "Yes/No filter open");
        await filter.GetByLabel("Yes").CheckAsync();
        await Expect(row).ToHaveCountAsync(0);
        var shown = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.ag-row [col-id=staging]')].map(e => e.textContent.trim())");
        Assert.All(shown, cell => Assert.Equal("Yes", cell));
        await filter.GetByLabel("No").CheckAsync();
        await Expect(row).ToBeVisibleAsync();
        shown = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.ag-row [col-id=staging]')].map(e => e.textContent.trim())");
        Assert.All(shown, cell => Assert.Equal("No", cell));
        await filter.GetByLabel("All").CheckAsync();
        await Expect(page.Locator(".ag-row")).ToHaveCountAsync(await browser.App.WithDbAsync(db => db.Secrets.CountAsync(s => s.OrganizationId == row1Organization)));
        await page.Keyboard.PressAsync("Escape");

        // No match, in the app's words.
        await page.Locator("#quick-search").FillAsync("nothing-is-called-this");
        await Expect(page.Locator("#secrets-grid")).ToContainTextAsync("No secret matches your search.");
        await page.Locator("#quick-search").FillAsync("");

        // Opening a row shares the width with the editor.
        await row.Locator("[col-id=name]").ClickAsync();
        await Expect(page.Locator("#editor")).ToBeVisibleAsync();
        Assert.True(await page.Locator(".grid-card").EvaluateAsync<double>("e => e.getBoundingClientRect().width") < layoutWidth * 0.8);
        await AssertNoSideScrollAsync(page, "grid with editor at 1366");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "grid and editor at 1366");
        browser.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task EmptyGrid_SaysSoInTheAppsWords()
    {
        await SeedAsync();
        var other = await browser.App.AddOrganizationAsync("Empty Co");
        await browser.App.AddUserAsync(other, "erin@empty.test", Role.Admin, "Erin Empty");
        var page = await browser.SignedInPageAsync("erin@empty.test", 1366, 900);
        await page.GotoAsync("/Secrets");
        await Expect(page.Locator("#secrets-grid[data-loaded=true]")).ToBeAttachedAsync();
        await Expect(page.Locator("#secrets-grid")).ToContainTextAsync("No secrets yet — add one or import a .env file.");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "empty grid");
        browser.AssertNoConsoleErrors();
    }

    [BrowserFact]
    public async Task Phone_EditorIsAFullScreenPanelWithBack_AndNothingScrollsSideways()
    {
        var page = await SecretsPageAsync(390, 844);
        await AssertNoSideScrollAsync(page, "grid at 390");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "grid at 390");

        await Row(page, "STRIPE_KEY").Locator("[col-id=name]").ClickAsync();
        var editor = page.Locator("#editor");
        await Expect(editor.Locator("h2")).ToHaveTextAsync("STRIPE_KEY");
        var box = (await editor.BoundingBoxAsync())!;
        Assert.True(box.X <= 0.5 && box.Y <= 0.5 && box.Width >= 389 && box.Height >= 843, $"the editor covers {box.X},{box.Y} {box.Width}×{box.Height}");
        var back = page.GetByRole(AriaRole.Button, new() { Name = "Back" });
        await Expect(back).ToBeVisibleAsync();
        await Expect(page.Locator("#Input_Name")).ToBeFocusedAsync();
        await AssertNoSideScrollAsync(page, "editor at 390");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "editor at 390");

        // Usable: change a value and save; the grid comes back with the row focused and the toast says so.
        await page.Locator("#Input_Staging").FillAsync("staging-from-a-phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Secret STRIPE_KEY saved.");
        await Expect(editor).ToBeHiddenAsync();
        Assert.Equal("STRIPE_KEY", await FocusedRowNameAsync(page));

        // Back returns to the grid, focus on the row.
        await Row(page, "DATABASE_URL").Locator("[col-id=name]").ClickAsync();
        await Expect(back).ToBeVisibleAsync();
        await back.ClickAsync();
        await Expect(editor).ToBeHiddenAsync();
        Assert.Equal("DATABASE_URL", await FocusedRowNameAsync(page));

        // The delete dialog fits the phone too, and says by name what happened.
        await page.GetByTestId("add-secret").ClickAsync();
        await page.Locator("#Input_Name").FillAsync("PHONE_TEMP");
        await page.Locator("#Input_Development").FillAsync("temporary-value-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create secret" }).ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Secret PHONE_TEMP created.");
        await Row(page, "PHONE_TEMP").Locator("[col-id=name]").ClickAsync();
        await page.GetByTestId("open-delete").ClickAsync();
        await Expect(page.Locator("#delete-dialog")).ToBeVisibleAsync();
        await AssertNoSideScrollAsync(page, "delete dialog at 390");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "delete dialog at 390");
        await page.Locator("#delete-confirm").FillAsync("delete");
        await page.Locator("#delete-submit").ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Secret PHONE_TEMP moved to the Trash.");
        await Expect(Row(page, "PHONE_TEMP")).ToHaveCountAsync(0);
        await Expect(editor).ToBeHiddenAsync();
        Assert.DoesNotContain(Canary, await page.ContentAsync());
        browser.AssertNoConsoleErrors();
    }
}
