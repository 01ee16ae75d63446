using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Integrations;

namespace Ziggy.Secrets.Tests.Integration.Integrations;

/// <summary>
/// A hostile Member against the one door through which plaintext leaves Ziggy. Admins own ADMIN_TOKEN; Mia, a Member,
/// owns secrets she can point anywhere. No request may ever carry a value of a secret Mia may not change while Mia
/// shaped its destination, path, query, headers or body; and what comes back is shown only to those who may change
/// every secret the run decrypted.
/// </summary>
public class IntegrationBoundaryTests : IAsyncLifetime
{
    private static readonly string AdminToken = "adm-CANARY-" + Guid.NewGuid().ToString("N");
    private static readonly string MiaValue = "mia-CANARY-" + Guid.NewGuid().ToString("N");

    private readonly ZiggyAppFactory _app;
    private StubServer _stub = null!;
    private ApplicationUser _olivia = null!;
    private ApplicationUser _mia = null!;
    private TestSession _admin = null!;
    private TestSession _member = null!;

    public IntegrationBoundaryTests()
        : this(new ZiggyAppFactory(settings: new() { ["Ziggy:Integrations:AllowPrivateNetworks"] = "true", ["Ziggy:Integrations:TimeoutSeconds"] = "2" }))
    {
    }

    protected IntegrationBoundaryTests(ZiggyAppFactory app) => _app = app;

    public async Task InitializeAsync()
    {
        _stub = await StubServer.StartAsync();
        _olivia = await _app.SetUpAsync();
        _mia = await _app.AddUserAsync(_olivia.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        _admin = await _app.SignInAsync("owner@acme.test");
        _member = await _app.SignInAsync("mia@acme.test");
        await SecretsUi.CreateAsync(_admin, "ADMIN_TOKEN", "", development: AdminToken);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _member.Dispose();
        await _stub.DisposeAsync();
        _app.Dispose();
    }

    private Uri Stub => new(_stub.BaseUrl);

    /// <summary>Every template position a secret can take, with the value that makes the request still reach the stub.</summary>
    public static TheoryData<string, string, string, string, string> Positions => new()
    {
        // position, url, headers, body, the part's value when it sends to the stub ("{host}" and "{port}" filled in)
        { "host", "http://{{secrets.PART}}:{port}/echo", "Authorization: Bearer {{secrets.ADMIN_TOKEN}}", "", "{host}" },
        { "port", "http://{host}:{{secrets.PART}}/echo", "Authorization: Bearer {{secrets.ADMIN_TOKEN}}", "", "{port}" },
        { "base URL", "{{secrets.PART}}/echo", "Authorization: Bearer {{secrets.ADMIN_TOKEN}}", "", "http://{host}:{port}" },
        { "whole URL", "{{secrets.PART}}", "Authorization: Bearer {{secrets.ADMIN_TOKEN}}", "", "http://{host}:{port}/echo" },
        { "path", "http://{host}:{port}/{{secrets.PART}}", "", "{{secrets.ADMIN_TOKEN}}", "echo" },
        { "query", "http://{host}:{port}/echo?to={{secrets.PART}}", "X-Token: {{secrets.ADMIN_TOKEN}}", "", "attacker" },
        { "header", "http://{host}:{port}/echo", "X-Forward-To: {{secrets.PART}}\nX-Token: {{secrets.ADMIN_TOKEN}}", "", "attacker" },
        { "body", "http://{host}:{port}/echo?t={{secrets.ADMIN_TOKEN}}", "", "{\"callback\": \"{{secrets.PART}}\"}", "attacker" },
    };

    private string Fill(string text) => text.Replace("{host}", Stub.Host).Replace("{port}", Stub.Port.ToString());

    private async Task<Guid> SecretIdAsync(string name) => await _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());

    private async Task TransferAsync(string name, Guid newOwner)
    {
        var editor = await SecretsUi.EditPageAsync(_admin, await SecretIdAsync(name));
        await _admin.SubmitAsync(editor.Form("form.transfer"), new() { ["newOwnerId"] = newOwner.ToString() }, htmx: true);
        Assert.Equal(newOwner, await _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == name).Select(s => s.OwnerId).SingleAsync()));
    }

    [Fact]
    public async Task Save_AdminTemplateWithAHostSecretThatDoesNotExistYet_IsRefused()
    {
        var (id, page) = await IntegrationsUi.SaveAsync(_admin, "Export", "POST", "http://{{secrets.EXPORT_HOST}}:5399/export",
            "Authorization: Bearer {{secrets.ADMIN_TOKEN}}");

        Assert.Null(id);
        Assert.Contains("No secret is named EXPORT_HOST", page.FormError());
    }

    [Theory]
    [MemberData(nameof(Positions))]
    public async Task Save_MemberOwnedSecretBesideAnAdminsSecret_IsRefusedNamingBothAndTheOwner(string position, string url, string headers, string body, string part)
    {
        await SecretsUi.CreateAsync(_member, "PART", "", development: Fill(part));

        var (id, page) = await IntegrationsUi.SaveAsync(_admin, "Mixed " + position, "POST", Fill(url), headers, body);

        Assert.Null(id);
        Assert.Contains("PART is owned by Mia Member, who may not change ADMIN_TOKEN.", page.FormError());
        Assert.Equal(0, await _app.WithDbAsync(db => db.Integrations.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(Positions))]
    public async Task Run_PartHandedToAMemberAfterTheSave_IsRefusedAndNothingIsSent(string position, string url, string headers, string body, string part)
    {
        await SecretsUi.CreateAsync(_admin, "PART", "", development: Fill(part));
        var (id, page) = await IntegrationsUi.SaveAsync(_admin, "Mixed " + position, "POST", Fill(url), headers, body);
        Assert.True(id is not null, page.FormError());
        Assert.Contains("HTTP 200", (await IntegrationsUi.RunAsync(_admin, id!.Value, "Development")).Text());
        Assert.Contains(AdminToken, Assert.Single(_stub.Received).Everything);

        // The Admin hands PART to Mia, who could now point the request anywhere: nobody's run may send it any more.
        await TransferAsync("PART", _mia.Id);
        var byMember = await IntegrationsUi.RunAsync(_member, id.Value, "Development");
        var byAdmin = await IntegrationsUi.RunAsync(_admin, id.Value, "Development");

        foreach (var result in new[] { byMember, byAdmin })
        {
            Assert.Equal("PART is owned by Mia Member, who may not change ADMIN_TOKEN. Nothing was sent.",
                result.QuerySelector("[data-testid=run-error]")!.TextContent.Trim());
        }

        Assert.Single(_stub.Received);
        var list = await _admin.GetPageAsync("/Integrations");
        Assert.Contains("PART is owned by Mia Member, who may not change ADMIN_TOKEN.", list.QuerySelector("[data-testid=rule-broken]")!.TextContent);
    }

    [Fact]
    public async Task Run_TemplateOwnedByAMember_MayUseOnlyHerOwnSecrets()
    {
        await SecretsUi.CreateAsync(_member, "MIA_KEY", "", development: MiaValue);
        var (own, _) = await IntegrationsUi.SaveAsync(_member, "Mine", "POST", _stub.BaseUrl + "/echo", "X-Key: {{secrets.MIA_KEY}}");
        Assert.NotNull(own);

        var (mixed, page) = await IntegrationsUi.SaveAsync(_member, "Theirs", "POST", _stub.BaseUrl + "/echo", "X-Key: {{secrets.MIA_KEY}}", "{{secrets.ADMIN_TOKEN}}");

        Assert.Null(mixed);
        Assert.Contains("MIA_KEY is owned by Mia Member, who may not change ADMIN_TOKEN.", page.FormError());
        Assert.Contains("HTTP 200", (await IntegrationsUi.RunAsync(_member, own!.Value, "Development")).Text());
    }

    [Fact]
    public async Task Run_AdminTemplateWithAMembersOnlySecret_IsAllowed()
    {
        // Only Mia's own value is decrypted: whoever shapes the request can change it anyway.
        await SecretsUi.CreateAsync(_member, "MIA_KEY", "", development: MiaValue);
        var (id, page) = await IntegrationsUi.SaveAsync(_admin, "For Mia", "GET", _stub.BaseUrl + "/echo?k={{secrets.MIA_KEY}}");
        Assert.True(id is not null, page.FormError());

        var result = await IntegrationsUi.RunAsync(_member, id!.Value, "Development");

        Assert.Equal("HTTP 200", result.QuerySelector("[data-testid=run-status]")!.TextContent);
        Assert.NotNull(result.QuerySelector("[data-testid=run-body]"));
    }

    [Fact]
    public async Task Run_ByAMemberWhoMayNotChangeTheSecrets_HidesTheResponseLiveAndInHistory()
    {
        var (id, _) = await IntegrationsUi.SaveAsync(_admin, "Admin only", "POST", _stub.BaseUrl + "/echo", "Authorization: Bearer {{secrets.ADMIN_TOKEN}}");

        var live = await IntegrationsUi.RunAsync(_member, id!.Value, "Development");

        Assert.Equal("HTTP 200", live.QuerySelector("[data-testid=run-status]")!.TextContent);
        Assert.Equal(IntegrationService.HiddenResponseMessage, live.QuerySelector("[data-testid=run-hidden]")!.TextContent.Trim());
        Assert.Null(live.QuerySelector("[data-testid=run-body]"));
        Assert.Null(live.QuerySelector("[data-testid=run-headers]"));
        Assert.Matches(@"\d[\d,]* bytes", live.QuerySelector("[data-testid=run-size]")!.TextContent);
        Assert.DoesNotContain("X-Echo-Auth", live.Text());

        var memberHistory = await _member.GetPageAsync($"/Integrations/Edit?id={id}");
        var memberResponse = await IntegrationsUi.OpenHistoryResponseAsync(_member, memberHistory, 0);
        Assert.Equal(IntegrationService.HiddenResponseMessage, memberResponse.QuerySelector("[data-testid=run-hidden]")!.TextContent.Trim());
        Assert.Null(memberResponse.QuerySelector("[data-testid=run-headers]"));
        Assert.DoesNotContain("X-Echo-Auth", memberHistory.Text() + memberResponse.Text());

        var adminHistory = await _admin.GetPageAsync($"/Integrations/Edit?id={id}");
        Assert.DoesNotContain("X-Echo-Auth", adminHistory.Text());
        var adminResponse = await IntegrationsUi.OpenHistoryResponseAsync(_admin, adminHistory, 0);
        Assert.Contains("X-Echo-Auth: Bearer adm-CANA***", adminResponse.QuerySelector("[data-testid=run-headers]")!.TextContent);

        // Every other viewer: another organization's Admin and someone signed out get nothing at all, the page or the response.
        var responseUrl = IntegrationsUi.HistoryResponseUrl(adminHistory, 0);
        var other = await _app.AddOrganizationAsync("Globex");
        await _app.AddUserAsync(other, "gina@globex.test", Role.Admin, "Gina Globex");
        using var gina = await _app.SignInAsync("gina@globex.test");
        await gina.GetPageAsync($"/Integrations/Edit?id={id}", System.Net.HttpStatusCode.NotFound);
        await gina.GetPageAsync(responseUrl, System.Net.HttpStatusCode.NotFound);
        using var anonymous = _app.CreateSession();
        Assert.NotEqual(System.Net.HttpStatusCode.OK, (await anonymous.GetAsync($"/Integrations/Edit?id={id}")).StatusCode);
        var signedOut = await anonymous.GetAsync(responseUrl, htmx: true);
        Assert.NotEqual(System.Net.HttpStatusCode.OK, signedOut.StatusCode);
        Assert.DoesNotContain("X-Echo-Auth", await signedOut.Content.ReadAsStringAsync());
        _app.AssertNeverRevealed(AdminToken);
    }

    [Fact]
    public async Task Run_TargetEchoingTheValueInEveryForm_ShowsAndStoresNoneOfThem()
    {
        var value = "adm/CANARY'é+x " + Guid.NewGuid().ToString("N")[..12];
        await SecretsUi.CreateAsync(_admin, "ECHOED", "", development: value);
        var (id, page) = await IntegrationsUi.SaveAsync(_admin, "Echo forms", "GET", _stub.BaseUrl + "/forms", "X-Value: {{secrets.ECHOED}}");
        Assert.True(id is not null, page.FormError());
        var forms = SecretEncodings.Fixed.Concat(SecretEncodings.Embedded).Select(f => (f.Key, Form: f.Value(value)))
            .Append(("first half", value[..(value.Length / 2)])).Append(("second half", value[(value.Length / 2)..])).ToList();

        var adminView = await IntegrationsUi.RunAsync(_admin, id!.Value, "Development");
        var memberView = await IntegrationsUi.RunAsync(_member, id.Value, "Development");
        var stored = await _app.WithDbAsync(db => db.IntegrationRuns.Select(r => r.ResponseHeaders + "\n" + r.ResponseBody + "\n" + r.Error).ToListAsync());

        Assert.Contains("X-Split-1", adminView.QuerySelector("[data-testid=run-headers]")!.TextContent);
        Assert.Equal(2, stored.Count);
        var shown = adminView.QuerySelector("[data-testid=run-result]")!.TextContent;
        foreach (var (name, form) in forms)
        {
            Assert.False(shown.Contains(form, StringComparison.Ordinal), $"The Admin's view shows the value as {name}: {form}");
            Assert.All(stored, run => Assert.False(run.Contains(form, StringComparison.Ordinal), $"A stored run holds the value as {name}"));
        }

        Assert.NotNull(memberView.QuerySelector("[data-testid=run-hidden]"));
        Assert.Null(memberView.QuerySelector("[data-testid=run-body]"));
        _app.AssertNeverRevealed(value);
    }

    [Fact]
    public async Task Run_ResponseVisibility_IsJudgedWhenTheViewerLooks()
    {
        await SecretsUi.CreateAsync(_member, "MIA_KEY", "", development: MiaValue);
        var (id, _) = await IntegrationsUi.SaveAsync(_admin, "Mia's", "GET", _stub.BaseUrl + "/echo?k={{secrets.MIA_KEY}}");
        await IntegrationsUi.RunAsync(_member, id!.Value, "Development");
        var before = await IntegrationsUi.OpenHistoryResponseAsync(_member, await _member.GetPageAsync($"/Integrations/Edit?id={id}"), 0);
        Assert.Null(before.QuerySelector("[data-testid=run-hidden]"));
        Assert.Contains("raw: ", before.QuerySelector("[data-testid=run-body]")!.TextContent);

        // MIA_KEY now belongs to the Admin: the run Mia made before is hidden from her from now on.
        await TransferAsync("MIA_KEY", _olivia.Id);

        var after = await IntegrationsUi.OpenHistoryResponseAsync(_member, await _member.GetPageAsync($"/Integrations/Edit?id={id}"), 0);
        Assert.Equal(IntegrationService.HiddenResponseMessage, after.QuerySelector("[data-testid=run-hidden]")!.TextContent.Trim());
        Assert.Null(after.QuerySelector("[data-testid=run-body]"));
    }

    [Fact]
    public async Task Run_AfterTheIntegrationWasChangedToOtherSecrets_EachRunInTheAnswerIsJudgedByItsOwnSecrets()
    {
        // Each run of the history is judged by the secrets it read itself: a run of earlier secrets by those.
        await SecretsUi.CreateAsync(_member, "MIA_KEY", "", development: MiaValue);
        var (id, _) = await IntegrationsUi.SaveAsync(_admin, "Switch", "POST", _stub.BaseUrl + "/echo", "Authorization: Bearer {{secrets.ADMIN_TOKEN}}");
        await IntegrationsUi.RunAsync(_member, id!.Value, "Development");
        var editor = await _admin.GetPageAsync($"/Integrations/Edit?id={id}");
        var saved = await _admin.SubmitAsync(editor.Form("#integration-form"), new() { ["Input.Headers"] = "X-Key: {{secrets.MIA_KEY}}" });
        Assert.Equal(System.Net.HttpStatusCode.Redirect, saved.StatusCode);

        var answer = await IntegrationsUi.RunAsync(_member, id.Value, "Development");

        Assert.NotNull(answer.QuerySelector("[data-testid=run-body]"));
        Assert.Equal(2, answer.QuerySelectorAll("tr[data-run]").Length);
        var history = new List<string>();
        for (var row = 0; row < 2; row++) history.Add((await IntegrationsUi.OpenHistoryResponseAsync(_member, answer, row)).Text());
        Assert.DoesNotContain(IntegrationService.HiddenResponseMessage, history[0]);
        Assert.Contains("raw: ", history[0]);
        Assert.Contains(IntegrationService.HiddenResponseMessage, history[1]);
        Assert.DoesNotContain("raw: ", history[1]);
        Assert.DoesNotContain("adm-CANA", answer.Text());
        _app.AssertNeverRevealed(AdminToken);
    }

    [Fact]
    public async Task RunResponse_AskedThroughAnotherIntegrationOrWithAForgedRunId_IsNotFound()
    {
        // Mia may read both integrations, and her own run's response: but only through the integration it belongs to.
        await SecretsUi.CreateAsync(_member, "MIA_KEY", "", development: MiaValue);
        var (admins, _) = await IntegrationsUi.SaveAsync(_admin, "Admin's", "POST", _stub.BaseUrl + "/echo", "Authorization: Bearer {{secrets.ADMIN_TOKEN}}");
        var (mias, _) = await IntegrationsUi.SaveAsync(_member, "Mia's", "GET", _stub.BaseUrl + "/echo?k={{secrets.MIA_KEY}}");
        await IntegrationsUi.RunAsync(_admin, admins!.Value, "Development");
        await IntegrationsUi.RunAsync(_member, mias!.Value, "Development");
        var adminRun = (await _admin.GetPageAsync($"/Integrations/Edit?id={admins}")).QuerySelector("tr[data-run]")!.GetAttribute("data-run");
        var miaRun = (await _member.GetPageAsync($"/Integrations/Edit?id={mias}")).QuerySelector("tr[data-run]")!.GetAttribute("data-run");
        Assert.Contains("raw: ", (await _member.GetPageAsync($"/Integrations/Edit?handler=RunResponse&id={mias}&runId={miaRun}")).Text());

        foreach (var url in new[]
                 {
                     $"/Integrations/Edit?handler=RunResponse&id={mias}&runId={adminRun}",
                     $"/Integrations/Edit?handler=RunResponse&id={admins}&runId={miaRun}",
                     $"/Integrations/Edit?handler=runresponse&id={mias}&runId={adminRun}",
                     $"/Integrations/Edit?handler=RunResponse&id={mias}&runId={Guid.NewGuid()}",
                     $"/Integrations/Edit?handler=RunResponse&id={mias}&runId=../{adminRun}",
                     $"/Integrations/Edit?handler=RunResponse&id={mias}&runId=%00",
                     $"/Integrations/Edit?handler=RunResponse&id={mias}",
                     $"/Integrations/Edit?handler=RunResponse&runId={adminRun}",
                     $"/Integrations/Edit?handler=RunResponse&id=not-a-guid&runId={adminRun}",
                 })
        {
            var response = await _member.GetAsync(url, htmx: true);
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.NotFound, $"{url} answered {(int)response.StatusCode}");
            Assert.DoesNotContain("X-Echo-Auth", await response.Content.ReadAsStringAsync());
        }

        _app.AssertNeverRevealed(AdminToken);
    }

    [Fact]
    public async Task Run_FailureReason_IsShownToEveryoneRedacted()
    {
        var (id, _) = await IntegrationsUi.SaveAsync(_admin, "Slow", "GET", _stub.BaseUrl + "/slow?t={{secrets.ADMIN_TOKEN}}");

        var result = await IntegrationsUi.RunAsync(_member, id!.Value, "Development");

        Assert.Equal("The request timed out after 2 seconds.", result.QuerySelector("[data-testid=run-error]")!.TextContent.Trim());
    }

    [Fact]
    public async Task Run_AfterTheTemplateOwnerIsDemoted_IsRefusedForSecretsTheyNoLongerControl()
    {
        var adam = await _app.AddUserAsync(_olivia.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        using var adamSession = await _app.SignInAsync("adam@acme.test");
        var (id, page) = await IntegrationsUi.SaveAsync(adamSession, "Adam's", "GET", _stub.BaseUrl + "/echo?t={{secrets.ADMIN_TOKEN}}");
        Assert.True(id is not null, page.FormError());

        await _app.WithDbAsync(db => db.Users.Where(u => u.Id == adam.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Role, Role.Member)));
        var result = await IntegrationsUi.RunAsync(_admin, id!.Value, "Development");

        Assert.Equal("This integration is owned by Adam Admin, who may not change ADMIN_TOKEN. Nothing was sent.",
            result.QuerySelector("[data-testid=run-error]")!.TextContent.Trim());
        Assert.Empty(_stub.Received);
        var audit = await _app.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == AuditAction.IntegrationRun).Select(e => e.Details).SingleAsync());
        Assert.Contains("decrypted: none", audit);
    }
}

[RequiresPostgres]
public sealed class IntegrationBoundaryTestsOnPostgres() : IntegrationBoundaryTests(new PostgresAppFactory());
