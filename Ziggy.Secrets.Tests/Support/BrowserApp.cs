using Microsoft.Playwright;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>The app on a real loopback port plus Debian's Chromium driven by Playwright (never a downloaded browser).</summary>
public class BrowserApp : IAsyncLifetime
{
    public BrowserApp()
        : this(null)
    {
    }

    protected BrowserApp(Dictionary<string, string>? settings) => App = new ZiggyAppFactory(settings: settings);

    private readonly string _profileRoot = Path.Combine(Path.GetTempPath(), "ziggy-browser", Guid.NewGuid().ToString("N"));
    private IPlaywright? _playwright;

    public ZiggyAppFactory App { get; }

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Console errors and uncaught exceptions of every page (CSP violations show up here).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> ConsoleErrors { get; } = new();

    /// <summary>Nothing the browser ran broke or was blocked by the Content-Security-Policy.</summary>
    public void AssertNoConsoleErrors() => Assert.True(ConsoleErrors.IsEmpty, string.Join("\n", ConsoleErrors.Distinct()));

    public async Task InitializeAsync()
    {
        App.UseKestrel(0);
        App.StartServer();
        BaseUrl = App.ClientOptions.BaseAddress.ToString().TrimEnd('/');

        if (!File.Exists(BrowserFactAttribute.ChromiumPath))
            throw new InvalidOperationException($"Chromium is required (ZIGGY_REQUIRE_BROWSER=1) but {BrowserFactAttribute.ChromiumPath} does not exist. Install it: apt-get install chromium.");

        (_playwright, Browser) = await LaunchChromiumAsync(_profileRoot);
    }

    /// <summary>Debian's Chromium, headless, with its profile, config and cache under <paramref name="profileRoot"/>.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchChromiumAsync(string profileRoot)
    {
        Directory.CreateDirectory(profileRoot);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
            Env = new Dictionary<string, string>
            {
                ["XDG_CONFIG_HOME"] = Path.Combine(profileRoot, "config"),
                ["XDG_CACHE_HOME"] = Path.Combine(profileRoot, "cache"),
                ["HOME"] = profileRoot,
            },
        });
        return (playwright, browser);
    }

    /// <summary>A fresh, isolated browser session (own cookies), like a second person on another machine.</summary>
    public Task<IPage> NewPageAsync() => NewPageAsync(1600, 1000);

    /// <summary>A fresh, isolated browser session with a viewport of the given size (1366×900 desktop, 390×844 phone).</summary>
    public Task<IPage> NewPageAsync(int width, int height) => NewPageAsync(width, height, null);

    private async Task<IPage> NewPageAsync(int width, int height, string? storageState)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl, ViewportSize = new() { Width = width, Height = height }, StorageState = storageState,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") ConsoleErrors.Enqueue(message.Text);
        };
        page.PageError += (_, error) => ConsoleErrors.Enqueue(error);
        return page;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _sessions = new();

    /// <summary>
    /// A fresh browser session signed in as <paramref name="email"/>. The sign-in form is used once per person and fixture;
    /// later pages start from that session's cookies, so a class's many pages never meet the sign-in rate limit
    /// (ten posts a minute from one address). A session someone has since ended is replaced by signing in again.
    /// </summary>
    public async Task<IPage> SignedInPageAsync(string email, int width, int height)
    {
        if (_sessions.TryGetValue(email, out var saved))
        {
            var reused = await NewPageAsync(width, height, saved);
            await reused.GotoAsync("/");
            if (await reused.GetByTestId("user-name").CountAsync() > 0) return reused;
            await reused.Context.CloseAsync();
        }
        var page = await NewPageAsync(width, height);
        await page.GotoAsync("/Account/SignIn");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForLoadStateAsync();
        if (await page.GetByTestId("user-name").CountAsync() == 0) await ScreenshotAsync(page, $"signin-failed-{email}-{width}");
        await Assertions.Expect(page.GetByTestId("user-name")).ToBeAttachedAsync();
        _sessions[email] = await page.Context.StorageStateAsync();
        return page;
    }

    /// <summary>
    /// Clicks a link and waits until the page it opens has loaded, scripts included: before that htmx does not drive the
    /// page's forms yet, and typing or posting would meet the page without it.
    /// </summary>
    public static async Task FollowAsync(ILocator link, string url)
    {
        await link.ClickAsync();
        await link.Page.WaitForURLAsync(url, new() { WaitUntil = WaitUntilState.Load });
    }

    /// <summary>
    /// Marks the page's window, so that <see cref="SameWindowAsync"/> can tell later whether a full page load replaced it.
    /// Counting the page's load events cannot: the load event of the page already open may still be on its way.
    /// </summary>
    public static Task MarkWindowAsync(IPage page) => page.EvaluateAsync("() => { window.ziggyTestMark = true; }");

    /// <summary>True while the page is still the window <see cref="MarkWindowAsync"/> marked (no full page load since).</summary>
    public static Task<bool> SameWindowAsync(IPage page) => page.EvaluateAsync<bool>("() => window.ziggyTestMark === true");

    /// <summary>Saves a screenshot when ZIGGY_SCREENSHOTS names a folder (for looking at the UI while developing).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("ZIGGY_SCREENSHOTS");
        if (string.IsNullOrEmpty(folder)) return;
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        App.Dispose();
        try
        {
            Directory.Delete(_profileRoot, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be writing its profile; a leftover temp folder is harmless.
        }
    }
}
