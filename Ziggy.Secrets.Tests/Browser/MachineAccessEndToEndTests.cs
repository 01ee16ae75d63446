using System.Net;
using Microsoft.Playwright;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Client;
using static Microsoft.Playwright.Assertions;

namespace Ziggy.Secrets.Tests.Browser;

/// <summary>
/// The machine API end to end: the real server process, a token made in Chromium on the Access tokens page, and the real
/// client verbs reading it. Written once; runs on SQLite here and on PostgreSQL in <see cref="MachineAccessEndToEndOnPostgresTests"/>.
/// </summary>
public class MachineAccessEndToEndTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ziggy-tests", Guid.NewGuid().ToString("N"));

    protected virtual Dictionary<string, string> ServerEnvironment() => new()
    {
        ["ZIGGY_DATA_DIR"] = _folder,
        ["ZIGGY_MASTER_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
    };

    public virtual void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    [BrowserFact]
    public async Task TokenFromBrowser_RunAndGetWithRealBinary_ScopedValuesExitCodesAndRevocation()
    {
        var inScope = "sk_live_E2E_CANARY_" + Guid.NewGuid().ToString("N");
        var outOfScope = "OUT_OF_SCOPE_CANARY_" + Guid.NewGuid().ToString("N");
        using var server = await RunningApp.StartAsync(ServerEnvironment());

        // The organization and its secrets, through the real forms of the running server.
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using (var session = new TestSession(new HttpClient(handler)))
        {
            var setup = await session.GetPageAsync(server.BaseUrl + "/Setup");
            Assert.Equal(HttpStatusCode.Redirect, (await session.SubmitAsync(setup.Form(), new()
            {
                ["Input.OrganizationName"] = "Acme", ["Input.DisplayName"] = "Olivia Owner", ["Input.Email"] = "owner@acme.test",
                ["Input.Password"] = ZiggyAppFactory.Password, ["Input.ConfirmPassword"] = ZiggyAppFactory.Password,
            })).StatusCode);
            foreach (var (name, value) in new[] { ("STRIPE_API_KEY", inScope), ("PAYROLL_DB_PASSWORD", outOfScope) })
            {
                var add = await session.GetPageAsync(server.BaseUrl + "/Secrets?handler=New");
                Assert.Equal(HttpStatusCode.Redirect, (await session.SubmitAsync(add.Form("#secret-form"),
                    new() { ["Input.Name"] = name, ["Input.Development"] = value })).StatusCode);
            }
        }

        // The token, created in Chromium and read from the page that shows it once.
        var profile = Path.Combine(_folder, "chromium");
        var (playwright, browser) = await BrowserApp.LaunchChromiumAsync(profile);
        using var _ = playwright;
        try
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
            context.SetDefaultTimeout(15_000);
            var page = await context.NewPageAsync();
            await page.GotoAsync("/Account/SignIn");
            await page.GetByLabel("Email").FillAsync("owner@acme.test");
            await page.GetByLabel("Password").FillAsync(ZiggyAppFactory.Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Integrations" }).ClickAsync();
            await BrowserApp.FollowAsync(page.GetByTestId("access-tokens"), "**/Integrations/Tokens");
            await page.GetByTestId("pick-STRIPE_API_KEY").CheckAsync();
            await page.GetByLabel("Purpose").FillAsync("billing-worker");
            await page.GetByLabel("Environment").SelectOptionAsync("Development");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
            var tokenInput = page.GetByTestId("new-token");
            await Expect(tokenInput).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^zgs_[A-Za-z0-9_-]{43}$"));
            var token = await tokenInput.InputValueAsync();
            var withToken = new Dictionary<string, string> { ["ZIGGY_TOKEN"] = token };

            // run: exactly the scoped value in the child's environment, nothing outside the scope.
            var run = await ClientProcess.RunAsync(withToken, "run", "--server", server.BaseUrl, "--", "/usr/bin/env", "-0");
            Assert.True(run.ExitCode == 0, run.Stderr);
            var environment = run.Stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("STRIPE_API_KEY=" + inScope, environment);
            Assert.DoesNotContain(environment, e => e.StartsWith("PAYROLL_DB_PASSWORD=", StringComparison.Ordinal));
            Assert.DoesNotContain(outOfScope, run.Stdout);

            // --token-file works the same way.
            var tokenFile = Path.Combine(_folder, "token");
            await File.WriteAllTextAsync(tokenFile, token + "\n");
            var fromFile = await ClientProcess.RunAsync([], "run", "--server", server.BaseUrl, "--token-file", tokenFile, "--", "/usr/bin/env", "-0");
            Assert.True(fromFile.ExitCode == 0, fromFile.Stderr);
            Assert.Contains("STRIPE_API_KEY=" + inScope, fromFile.Stdout.Split('\0'));

            // get: exactly one value, no trailing newline; a name outside the scope is refused with its exit code.
            var get = await ClientProcess.RunAsync(withToken, "get", "STRIPE_API_KEY", "--server", server.BaseUrl);
            Assert.Equal((0, inScope), (get.ExitCode, get.Stdout));
            var refused = await ClientProcess.RunAsync(withToken, "get", "PAYROLL_DB_PASSWORD", "--server", server.BaseUrl);
            AssertOneLineFailure(refused, ExitCodes.NotAllowed);
            Assert.DoesNotContain(outOfScope, refused.Stderr);

            // The child's exit code comes back.
            var child = await ClientProcess.RunAsync(withToken, "run", "--server", server.BaseUrl, "--", "/bin/sh", "-c", "exit 7");
            Assert.Equal(7, child.ExitCode);

            // Revoked in the browser: the client is refused with its own exit code and one line.
            page.Dialog += (_, dialog) => dialog.AcceptAsync();
            await page.GetByTestId("token-row").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
            await Expect(page.GetByTestId("token-row").Locator(".status")).ToContainTextAsync("Revoked");
            var revoked = await ClientProcess.RunAsync(withToken, "run", "--server", server.BaseUrl, "--", "/usr/bin/env", "-0");
            AssertOneLineFailure(revoked, ExitCodes.TokenRefused);
            Assert.DoesNotContain(inScope, revoked.Stdout + revoked.Stderr);

            // A token limited to a network that excludes 127.0.0.1 (a CIDR string only: nothing is sent there).
            await page.GetByTestId("pick-STRIPE_API_KEY").CheckAsync();
            await page.GetByLabel("Purpose").FillAsync("office-only");
            await page.GetByLabel("Environment").SelectOptionAsync("Development");
            await page.Locator("[name='Input.Networks']").FillAsync("10.0.0.0/8");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
            await Expect(tokenInput).Not.ToHaveValueAsync(token);
            await Expect(tokenInput).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^zgs_[A-Za-z0-9_-]{43}$"));
            var officeToken = await tokenInput.InputValueAsync();
            var outOfNetwork = await ClientProcess.RunAsync(new() { ["ZIGGY_TOKEN"] = officeToken }, "get", "STRIPE_API_KEY", "--server", server.BaseUrl);
            AssertOneLineFailure(outOfNetwork, ExitCodes.NotAllowed);
            Assert.Contains("network", outOfNetwork.Stderr, StringComparison.OrdinalIgnoreCase);

            // Expired: the server runs on the system clock, so the test moves this token's stored expiry into the past in
            // the server's own database (time passing is the one thing no page can do).
            var expiringToken = await CreateTokenAsync(page, "nightly-job");
            Assert.Equal(0, (await ClientProcess.RunAsync(new() { ["ZIGGY_TOKEN"] = expiringToken }, "get", "STRIPE_API_KEY", "--server", server.BaseUrl)).ExitCode);
            await ExecuteSqlAsync("UPDATE \"AccessTokens\" SET \"ExpiresAt\" = 0 WHERE \"Purpose\" = 'nightly-job'");
            var expired = await ClientProcess.RunAsync(new() { ["ZIGGY_TOKEN"] = expiringToken }, "get", "STRIPE_API_KEY", "--server", server.BaseUrl);
            AssertOneLineFailure(expired, ExitCodes.TokenRefused);
            Assert.Contains("expired", expired.Stderr, StringComparison.OrdinalIgnoreCase);

            // Demoted creator: an Admin (invited and joined in the browser) makes a token over the owner's secret; once the
            // owner makes them a Member on Team, the same token is refused with the "not allowed" exit code.
            await BrowserApp.FollowAsync(page.GetByRole(AriaRole.Link, new() { Name = "Team" }), "**/Team");
            await page.GetByLabel("Email").FillAsync("adam@acme.test");
            await page.GetByLabel("Role").SelectOptionAsync("Admin");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create invitation link" }).ClickAsync();
            var link = await page.GetByTestId("invitation-link").InputValueAsync();
            var adamContext = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
            adamContext.SetDefaultTimeout(15_000);
            var adam = await adamContext.NewPageAsync();
            await adam.GotoAsync(link.StartsWith("http", StringComparison.Ordinal) ? link : server.BaseUrl + link);
            await adam.GetByLabel("Your name").FillAsync("Adam Admin");
            await adam.GetByLabel("Password", new() { Exact = true }).FillAsync(ZiggyAppFactory.Password);
            await adam.GetByLabel("Confirm password").FillAsync(ZiggyAppFactory.Password);
            await adam.GetByRole(AriaRole.Button, new() { Name = "Join Acme" }).ClickAsync();
            await Expect(adam.GetByTestId("user-name")).ToHaveTextAsync("Adam Admin");
            await adam.GotoAsync("/Integrations/Tokens");
            var adminToken = await CreateTokenAsync(adam, "admin-script");
            var beforeDemotion = await ClientProcess.RunAsync(new() { ["ZIGGY_TOKEN"] = adminToken }, "get", "STRIPE_API_KEY", "--server", server.BaseUrl);
            Assert.Equal((0, inScope), (beforeDemotion.ExitCode, beforeDemotion.Stdout));
            await page.ReloadAsync();
            var adamRow = page.Locator("tr[data-email='adam@acme.test']");
            await adamRow.Locator("select[name=role]").SelectOptionAsync("Member");
            await adamRow.GetByRole(AriaRole.Button, new() { Name = "Change role" }).ClickAsync();
            await Expect(page.Locator("tr[data-email='adam@acme.test'] td.role")).ToHaveTextAsync("Member");
            var demoted = await ClientProcess.RunAsync(new() { ["ZIGGY_TOKEN"] = adminToken }, "run", "--server", server.BaseUrl, "--", "/usr/bin/env", "-0");
            AssertOneLineFailure(demoted, ExitCodes.NotAllowed);
            Assert.DoesNotContain(inScope, demoted.Stdout + demoted.Stderr);

            // Nothing of the values, and never the token, in the server's log output.
            var log = server.Output;
            Assert.Contains("Now listening on", log);
            foreach (var leak in new[] { inScope, outOfScope, token, officeToken, expiringToken, adminToken }) Assert.DoesNotContain(leak, log);
        }
        finally
        {
            await browser.CloseAsync();
        }
    }

    /// <summary>Creates a Development token over STRIPE_API_KEY on the Access tokens page <paramref name="page"/> is on, and reads it from the page.</summary>
    private static async Task<string> CreateTokenAsync(IPage page, string purpose)
    {
        await page.GetByTestId("pick-STRIPE_API_KEY").CheckAsync();
        await page.GetByLabel("Purpose").FillAsync(purpose);
        await page.GetByLabel("Environment").SelectOptionAsync("Development");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Expect(page.GetByTestId("token-row").Filter(new() { HasText = purpose })).ToBeVisibleAsync();
        var shown = page.GetByTestId("new-token");
        await Expect(shown).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^zgs_[A-Za-z0-9_-]{43}$"));
        return await shown.InputValueAsync();
    }

    /// <summary>Runs one statement on the running server's database.</summary>
    protected virtual async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "ziggy.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private static void AssertOneLineFailure(ClientResult result, int exitCode)
    {
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}: {result.Stderr}");
        var lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("ziggy-secrets: ", lines[0]);
        Assert.Equal("", result.Stdout);
    }
}

[RequiresPostgres]
public sealed class MachineAccessEndToEndOnPostgresTests : MachineAccessEndToEndTests
{
    private readonly string _database = "ziggy_e2e_" + Guid.NewGuid().ToString("N");

    protected override Dictionary<string, string> ServerEnvironment()
    {
        var environment = base.ServerEnvironment();
        environment["Ziggy__Database__Provider"] = "Postgres";
        environment["Ziggy__Database__ConnectionString"] = TestPostgres.ConnectionString(_database);
        return environment;
    }

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(TestPostgres.ConnectionString(_database));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    public override void Dispose()
    {
        // The server ran in its own process, stopped by now: this process holds no connection to the database.
        TestPostgres.DropDatabase(_database);
        base.Dispose();
    }
}
