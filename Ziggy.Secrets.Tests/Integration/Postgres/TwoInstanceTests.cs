using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Ziggy.Secrets.Tests.Support;

namespace Ziggy.Secrets.Tests.Integration.Postgres;

/// <summary>Two app processes on different ports over one PostgreSQL database, as several instances are run.</summary>
[RequiresPostgres]
public sealed class TwoInstanceTests : IDisposable
{
    private readonly string _database = "ziggy_two_" + Guid.NewGuid().ToString("N");
    private readonly List<string> _folders = [];

    public void Dispose()
    {
        // The apps ran in their own processes: this process holds no connection to the database.
        TestPostgres.DropDatabase(_database);
        foreach (var folder in _folders.Where(Directory.Exists)) Directory.Delete(folder, recursive: true);
    }

    private Dictionary<string, string> Instance(string masterKey)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ziggy-tests", Guid.NewGuid().ToString("N"));
        _folders.Add(folder);
        return new()
        {
            ["ZIGGY_DATA_DIR"] = folder,
            ["ZIGGY_MASTER_KEY"] = masterKey,
            ["Ziggy__Database__Provider"] = "Postgres",
            ["Ziggy__Database__ConnectionString"] = TestPostgres.ConnectionString(_database),
        };
    }

    /// <summary>Sets up the organization on <paramref name="instance"/>, which signs the session in there.</summary>
    private static async Task SetUpAsync(TestSession session, RunningApp instance)
    {
        var setup = await session.GetPageAsync(instance.BaseUrl + "/Setup");
        var signedIn = await session.SubmitAsync(setup.Form(), new()
        {
            ["Input.OrganizationName"] = "Acme", ["Input.DisplayName"] = "Olivia Owner", ["Input.Email"] = "owner@acme.test",
            ["Input.Password"] = ZiggyAppFactory.Password, ["Input.ConfirmPassword"] = ZiggyAppFactory.Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }

    [Fact]
    public async Task TwoInstances_ShareSessionsAndWritesAndSplitConcurrentSavesIntoOneSuccess()
    {
        var masterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var first = await RunningApp.StartAsync(Instance(masterKey));
        using var second = await RunningApp.StartAsync(Instance(masterKey));
        // One cookie jar for 127.0.0.1: cookies do not depend on the port, exactly as in a browser behind a balancer.
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var session = new TestSession(new HttpClient(handler));

        // Set up and sign in on the first instance...
        await SetUpAsync(session, first);

        // ...and the same cookie is a session on the second.
        var onSecond = await session.GetPageAsync(second.BaseUrl + "/Secrets");
        Assert.Equal("Olivia Owner", onSecond.QuerySelector("[data-testid=user-name]")?.TextContent);

        // A write on the second is seen by the first.
        var add = await session.GetPageAsync(second.BaseUrl + "/Secrets?handler=New");
        Assert.Equal(HttpStatusCode.Redirect, (await session.SubmitAsync(add.Form("#secret-form"),
            new() { ["Input.Name"] = "SHARED_KEY", ["Input.Development"] = "shared-value-0123456789" })).StatusCode);
        var rows = await (await session.Client.GetAsync(first.BaseUrl + "/Secrets?handler=Rows")).Content.ReadAsStringAsync();
        Assert.Contains("SHARED_KEY", rows);

        // 20 saves of version 1 at once, split across both instances: one wins, 19 are told someone else saved first.
        var id = System.Text.Json.JsonDocument.Parse(rows).RootElement[0].GetProperty("id").GetString();
        var editor = await session.GetPageAsync($"{first.BaseUrl}/Secrets?handler=Edit&id={id}");
        var token = editor.QuerySelector<IHtmlInputElement>("#secret-form input[name=__RequestVerificationToken]")!.Value;
        var start = new TaskCompletionSource();
        var saves = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var instance = i % 2 == 0 ? first : second;
            return await session.PostFormAsync($"{instance.BaseUrl}/Secrets?handler=Save&id={id}", new()
            {
                ["__RequestVerificationToken"] = token, ["Input.Name"] = "SHARED_KEY", ["Input.Description"] = $"save {i}",
                ["Input.Version"] = "1", ["Input.Staging"] = $"staging-{i}-abcdefgh",
            }, htmx: true);
        })).ToList();
        start.SetResult();
        var responses = await Task.WhenAll(saves);

        var succeeded = responses.Count(r => r.Headers.TryGetValues("HX-Trigger", out var t) && t.Single().Contains("secret-saved"));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        var conflicts = bodies.Count(b => b.Contains("changed this secret at") || b.Contains("at the same moment"));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, succeeded);
        Assert.Equal(19, conflicts);
    }

    [Fact]
    public async Task TwoInstances_CookieSignedOutOnOne_IsRefusedByTheOther()
    {
        var masterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var first = await RunningApp.StartAsync(Instance(masterKey));
        using var second = await RunningApp.StartAsync(Instance(masterKey));
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var session = new TestSession(new HttpClient(handler));
        await SetUpAsync(session, first);
        var cookie = handler.CookieContainer.GetCookies(new Uri(first.BaseUrl))["ziggy.auth"]!.Value;
        using var replayer = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        async Task<HttpStatusCode> ReplayOnSecondAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, second.BaseUrl + "/Secrets");
            request.Headers.Add("Cookie", "ziggy.auth=" + cookie);
            return (await replayer.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await ReplayOnSecondAsync());

        // Signed out on the first instance...
        var home = await session.GetPageAsync(first.BaseUrl + "/Secrets");
        Assert.Equal(HttpStatusCode.Redirect, (await session.SubmitAsync(home.Form("form[action='/Account/SignOut']"))).StatusCode);

        // ...the copied cookie is turned away by the second.
        Assert.Equal(HttpStatusCode.Redirect, await ReplayOnSecondAsync());
    }

    [Fact]
    public async Task TwoInstances_AccessTokenRevokedOnOne_IsRefusedByTheOtherAtOnce()
    {
        var masterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var first = await RunningApp.StartAsync(Instance(masterKey));
        using var second = await RunningApp.StartAsync(Instance(masterKey));
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var session = new TestSession(new HttpClient(handler));
        await SetUpAsync(session, first);
        var add = await session.GetPageAsync(first.BaseUrl + "/Secrets?handler=New");
        await session.SubmitAsync(add.Form("#secret-form"), new() { ["Input.Name"] = "SHARED_KEY", ["Input.Production"] = "shared-value-0123456789" });

        // Created through the page on the first instance...
        var page = await session.GetPageAsync(first.BaseUrl + "/Integrations/Tokens");
        page.QuerySelector<IHtmlInputElement>("[data-testid=pick-SHARED_KEY]")!.IsChecked = true;
        var created = await TestSession.ParseAsync(await session.SubmitAsync(page.Form("form.token-form"),
            new() { ["Input.Purpose"] = "deploy", ["Input.Environment"] = "Production" }));
        var token = created.QuerySelector<IHtmlInputElement>("[data-testid=new-token]")!.Value;
        using var program = new HttpClient();
        async Task<HttpResponseMessage> ReadOnSecondAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, second.BaseUrl + "/api/v1/secrets");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return await program.SendAsync(request);
        }

        // ...read on the second...
        var read = await ReadOnSecondAsync();
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Contains("shared-value-0123456789", await read.Content.ReadAsStringAsync());

        // ...revoked on the first, and the second refuses it on the very next request.
        var list = await session.GetPageAsync(first.BaseUrl + "/Integrations/Tokens");
        Assert.Equal(HttpStatusCode.Redirect, (await session.SubmitAsync(list.Form("[data-testid=token-row] form"))).StatusCode);
        var refused = await ReadOnSecondAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("\"code\":\"token_revoked\"", await refused.Content.ReadAsStringAsync());
    }
}
