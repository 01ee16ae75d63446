using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Imports;

public class ImportTests : IAsyncLifetime
{
    private static readonly string Canary = "sk_live_IMPORT-CANARY-" + Guid.NewGuid().ToString("N");
    private readonly ZiggyAppFactory _app;
    private ApplicationUser _olivia = null!;
    private ApplicationUser _mia = null!;
    private ApplicationUser _adam = null!;
    private TestSession _miaSession = null!;

    public ImportTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected ImportTests(ZiggyAppFactory app) => _app = app;

    public async Task InitializeAsync()
    {
        _olivia = await _app.SetUpAsync();
        _mia = await _app.AddUserAsync(_olivia.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        _adam = await _app.AddUserAsync(_olivia.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        _miaSession = await _app.SignInAsync("mia@acme.test");
    }

    public Task DisposeAsync()
    {
        _miaSession.Dispose();
        _app.Dispose();
        return Task.CompletedTask;
    }

    private static CurrentUser Actor(ApplicationUser user) => new(user.Id, user.OrganizationId, user.Role, user.DisplayName);

    private async Task<Guid> CreateAsync(ApplicationUser owner, string name, string development)
    {
        var result = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(Actor(owner),
            new SecretDraft(name, "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = development })));
        Assert.True(result.IsOk);
        return result.Value!.Id;
    }

    private static async Task<string> AntiforgeryAsync(TestSession session) =>
        (await session.GetPageAsync("/Secrets/Import")).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

    private static async Task<HttpResponseMessage> PostAsync(TestSession session, string handler, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var all = fields.Append(new("__RequestVerificationToken", await AntiforgeryAsync(session)));
        var request = new HttpRequestMessage(HttpMethod.Post, $"/Secrets/Import?handler={handler}") { Content = new FormUrlEncodedContent(all) };
        request.Headers.Add("HX-Request", "true");
        return await session.Client.SendAsync(request);
    }

    private static Task<HttpResponseMessage> PreviewAsync(TestSession session, string text, string environment = "Development", string format = "Auto") =>
        PostAsync(session, "Preview", [new("Input.Text", text), new("Input.Environment", environment), new("Input.Format", format)]);

    private static Task<HttpResponseMessage> ApplyAsync(TestSession session, string text, string? token, IEnumerable<string> selected,
        IEnumerable<string>? accept = null, string environment = "Development") =>
        PostAsync(session, "Apply", [
            new("Input.Text", text), new("Input.Environment", environment), new("Input.Format", "Auto"), new("Input.Token", token ?? ""),
            .. selected.Select(n => new KeyValuePair<string, string>("Input.Selected", n)),
            .. (accept ?? []).Select(n => new KeyValuePair<string, string>("Input.Accept", n)),
        ]);

    private sealed record PreviewPage(string Html, string Token, Dictionary<string, (string Action, string Cells)> Rows);

    private static async Task<PreviewPage> PreviewPageAsync(TestSession session, string text, string environment = "Development")
    {
        var response = await PreviewAsync(session, text, environment);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        var token = page.QuerySelector<IHtmlInputElement>("input[name='Input.Token']")!.Value;
        var rows = page.QuerySelectorAll("tr[data-name]").ToDictionary(r => r.GetAttribute("data-name")!, r => (r.GetAttribute("data-action")!, r.TextContent));
        return new PreviewPage(html, token, rows);
    }

    private Task<Dictionary<string, Secret>> SecretsAsync() =>
        _app.WithDbAsync(db => db.Secrets.AsNoTracking().Include(s => s.Values).Where(s => s.OrganizationId == _olivia.OrganizationId).ToDictionaryAsync(s => s.Name));

    private Task<int> CountAsync(AuditAction action) => _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == action));

    private string MixedText => $"""
        # exported from the old vault
        SAME=same-value-1234
        CHANGED=new-value-5678
        export NEW_ONE="{Canary}"
        stripe-key={Canary}-2
        ADMIN_ONLY={Canary}-3
        EMPTY=
        ORG_TWIN={Canary}-4
        PADDED=" padded-value "
        """;

    private async Task SeedAsync()
    {
        await CreateAsync(_mia, "SAME", "same-value-1234");
        await CreateAsync(_mia, "CHANGED", "old-value-1234");
        await CreateAsync(_adam, "ADMIN_ONLY", "admin-value-1234");
        // Another organization's secret of the same name changes nothing here.
        var other = await _app.AddOrganizationAsync("Other");
        var stranger = await _app.AddUserAsync(other, "sam@other.test", Role.Admin, "Sam Stranger");
        await CreateAsync(stranger, "ORG_TWIN", "other-org-value-1234");
    }

    [Fact]
    public async Task Preview_MixedText_ShowsEachActionMaskSuggestionWarningAndNotes()
    {
        await SeedAsync();

        var preview = await PreviewPageAsync(_miaSession, MixedText);

        Assert.Equal("Unchanged", preview.Rows["SAME"].Action);
        Assert.Equal("Update", preview.Rows["CHANGED"].Action);
        Assert.Equal("Create", preview.Rows["NEW_ONE"].Action);
        Assert.Equal("Create", preview.Rows["ORG_TWIN"].Action);
        Assert.Equal("NotAllowed", preview.Rows["ADMIN_ONLY"].Action);
        Assert.Equal("InvalidName", preview.Rows["stripe-key"].Action);
        Assert.Contains("STRIPE_KEY", preview.Rows["stripe-key"].Cells);
        Assert.Contains("Use capital letters", preview.Rows["stripe-key"].Cells);
        Assert.Contains(SecretMask.For(Canary), preview.Rows["NEW_ONE"].Cells);
        Assert.Contains("starts with a space", preview.Rows["PADDED"].Cells);
        Assert.Contains("imported as it is", preview.Rows["PADDED"].Cells);
        Assert.DoesNotContain("EMPTY", preview.Rows.Keys);
        Assert.Contains("line 8", preview.Html);
        Assert.Contains("EMPTY", preview.Html);
        Assert.DoesNotContain("padded-value", preview.Html);
        // Nothing is written by a preview.
        Assert.Equal(3, (await SecretsAsync()).Count);
        _app.AssertNeverRevealed(Canary);
    }

    [Fact]
    public async Task Apply_SelectedRows_WritesThemInOneGoSkipsDeselectedAcceptsSuggestionAndAudits()
    {
        await SeedAsync();
        var preview = await PreviewPageAsync(_miaSession, MixedText);

        var response = await ApplyAsync(_miaSession, MixedText, preview.Token, ["CHANGED", "NEW_ONE", "stripe-key", "SAME"], accept: ["stripe-key"]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("secrets-imported", response.Headers.GetValues("HX-Trigger").Single());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("2 created, 1 updated, 1 unchanged", html);
        var stored = await SecretsAsync();
        Assert.Equal(["ADMIN_ONLY", "CHANGED", "NEW_ONE", "SAME", "STRIPE_KEY"], stored.Keys.Order().ToArray());
        Assert.Equal(_mia.Id, stored["NEW_ONE"].OwnerId);
        Assert.Equal(_mia.Id, stored["STRIPE_KEY"].OwnerId);
        Assert.Equal(2, stored["CHANGED"].Version);
        Assert.Equal(1, stored["SAME"].Version);
        var values = await _app.WithServiceAsync<SecretValueResolver, Dictionary<string, string>>(async r =>
            (await r.ResolveAsync(_olivia.OrganizationId, ["NEW_ONE", "STRIPE_KEY", "CHANGED"], SecretEnvironment.Development,
                _ => Task.FromResult<IReadOnlyList<string>>([]))).Value!.ToDictionary(v => v.Name, v => v.Value));
        Assert.Equal(Canary, values["NEW_ONE"]);
        Assert.Equal(Canary + "-2", values["STRIPE_KEY"]);
        Assert.Equal("new-value-5678", values["CHANGED"]);
        // PADDED and ORG_TWIN were deselected.
        Assert.DoesNotContain("PADDED", stored.Keys);
        // Four seeded (one in the other organization) and two imported.
        Assert.Equal(6, await CountAsync(AuditAction.SecretCreated));
        Assert.Equal(1, await CountAsync(AuditAction.SecretUpdated));
        var summary = await _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == AuditAction.SecretsImported));
        Assert.Equal("Imported into Development: 2 created, 1 updated, 1 unchanged.", summary.Details);
        Assert.Equal(_mia.Id, summary.ActorId);
        _app.AssertNeverRevealed(Canary);
    }

    [Fact]
    public async Task Apply_TheLargestImport_5000Entries_EveryRowSelected_WritesThemAll()
    {
        var text = string.Join("\n", Enumerable.Range(0, Web.Imports.ImportLimits.MaxEntries).Select(i => $"BULK_{i:D5}=value-{i:D5}-0123456789"));
        var preview = await PreviewPageAsync(_miaSession, text);
        Assert.Equal(Web.Imports.ImportLimits.MaxEntries, preview.Rows.Count);

        var response = await ApplyAsync(_miaSession, text, preview.Token, preview.Rows.Keys);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK && body.Contains("5000 created"), $"{(int)response.StatusCode}: {body}");
        Assert.Equal(Web.Imports.ImportLimits.MaxEntries, await _app.WithDbAsync(db => db.Secrets.CountAsync(s => s.Name.StartsWith("BULK_"))));
    }

    [Fact]
    public async Task Apply_RefusedAfterEarlierChunksWereWritten_KeepsNothing()
    {
        // Written a few hundred at a time inside one transaction: a refusal in a later chunk must undo the earlier ones.
        var tooLarge = new string('x', SecretRules.ValueMaxBytes + 1);
        var text = string.Join("\n", Enumerable.Range(0, 1_100).Select(i => $"PART_{i:D4}={(i == 1_050 ? tooLarge : $"value-{i:D4}-0123456789")}"));
        var preview = await PreviewPageAsync(_miaSession, text);
        Assert.Equal(1_100, preview.Rows.Count);

        var response = await ApplyAsync(_miaSession, text, preview.Token, preview.Rows.Keys);

        Assert.Contains("PART_1050", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await _app.WithDbAsync(db => db.Secrets.IgnoreQueryFilters().CountAsync(s => s.Name.StartsWith("PART_"))));
        Assert.Equal(0, await CountAsync(AuditAction.SecretsImported));
        Assert.Equal(0, await CountAsync(AuditAction.SecretCreated));
    }

    [Fact]
    public async Task Apply_UpdatesOfSecretsWithDifferentHistories_EachGetsItsOwnNextVersion()
    {
        var fresh = await CreateAsync(_mia, "FRESH", "fresh-value-1234");
        var edited = await CreateAsync(_mia, "EDITED", "edited-value-0");
        for (var i = 1; i <= 2; i++)
        {
            var version = (await SecretsAsync())["EDITED"].Version;
            Assert.True((await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(Actor(_mia), edited,
                new SecretChanges(version, "EDITED", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = $"edited-value-{i}" })))).IsOk);
        }

        const string text = "FRESH=imported-fresh-5678\nEDITED=imported-edited-5678";
        var preview = await PreviewPageAsync(_miaSession, text);
        var response = await ApplyAsync(_miaSession, text, preview.Token, ["FRESH", "EDITED"]);

        Assert.Contains("0 created, 2 updated", await response.Content.ReadAsStringAsync());
        var versions = await _app.WithDbAsync(db => db.SecretValueVersions.AsNoTracking()
            .Where(v => v.Environment == SecretEnvironment.Development).Select(v => new { v.SecretId, v.Number }).ToListAsync());
        Assert.Equal([1, 2], versions.Where(v => v.SecretId == fresh).Select(v => v.Number).Order());
        Assert.Equal([1, 2, 3, 4], versions.Where(v => v.SecretId == edited).Select(v => v.Number).Order());
        var stored = await SecretsAsync();
        Assert.Equal(2, stored["FRESH"].Version);
        Assert.Equal(4, stored["EDITED"].Version);
        var history = await _app.WithServiceAsync<SecretService, Result<ValueHistoryView>>(s => s.HistoryAsync(Actor(_mia), edited, SecretEnvironment.Development));
        Assert.Equal(SecretMask.For("imported-edited-5678"), history.Value!.Versions[0].Mask);
    }

    [Fact]
    public async Task Apply_SecretChangedSincePreview_WritesNothingAndNamesIt()
    {
        await SeedAsync();
        var preview = await PreviewPageAsync(_miaSession, MixedText);
        var changed = (await SecretsAsync())["CHANGED"];
        var edit = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(Actor(_adam), changed.Id,
            new SecretChanges(changed.Version, "CHANGED", "edited meanwhile", new Dictionary<SecretEnvironment, string>())));
        Assert.True(edit.IsOk);

        var response = await ApplyAsync(_miaSession, MixedText, preview.Token, ["CHANGED", "NEW_ONE"]);

        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Changed by someone since the preview: CHANGED", html);
        Assert.DoesNotContain("NEW_ONE", (await SecretsAsync()).Keys);
        Assert.Equal(0, await CountAsync(AuditAction.SecretsImported));
    }

    [Fact]
    public async Task Apply_MemberForgesSelectionOfAdminsSecret_WritesNothing()
    {
        await SeedAsync();
        var preview = await PreviewPageAsync(_miaSession, MixedText);
        var before = (await SecretsAsync())["ADMIN_ONLY"];

        var response = await ApplyAsync(_miaSession, MixedText, preview.Token, ["NEW_ONE", "ADMIN_ONLY"]);

        Assert.Contains("You may not change ADMIN_ONLY", await response.Content.ReadAsStringAsync());
        var after = await SecretsAsync();
        Assert.DoesNotContain("NEW_ONE", after.Keys);
        Assert.Equal(before.Version, after["ADMIN_ONLY"].Version);
    }

    [Fact]
    public async Task Apply_ReplayedPreview_WritesNothingTheSecondTime()
    {
        var text = $"REPLAYED={Canary}";
        var preview = await PreviewPageAsync(_miaSession, text);
        Assert.Contains("1 created", await (await ApplyAsync(_miaSession, text, preview.Token, ["REPLAYED"])).Content.ReadAsStringAsync());
        var version = (await SecretsAsync())["REPLAYED"].Version;

        var replay = await ApplyAsync(_miaSession, text, preview.Token, ["REPLAYED"]);

        Assert.Contains("Changed by someone since the preview: REPLAYED", await replay.Content.ReadAsStringAsync());
        Assert.Equal(version, (await SecretsAsync())["REPLAYED"].Version);
        Assert.Equal(1, await CountAsync(AuditAction.SecretsImported));
    }

    [Fact]
    public async Task Apply_ForgedOrOtherUsersOrChangedPreview_IsRefused()
    {
        var text = $"FORGED={Canary}";
        var preview = await PreviewPageAsync(_miaSession, text);
        using var olivia = await _app.SignInAsync("owner@acme.test");

        Assert.Contains("no longer valid", await (await ApplyAsync(olivia, text, preview.Token, ["FORGED"])).Content.ReadAsStringAsync());
        Assert.Contains("no longer valid", await (await ApplyAsync(_miaSession, text, "CfDJ8forged" + preview.Token[12..], ["FORGED"])).Content.ReadAsStringAsync());
        Assert.Contains("no longer valid", await (await ApplyAsync(_miaSession, text, "", ["FORGED"])).Content.ReadAsStringAsync());
        Assert.Contains("changed since the preview", await (await ApplyAsync(_miaSession, text + "x", preview.Token, ["FORGED"])).Content.ReadAsStringAsync());
        Assert.Contains("changed since the preview",
            await (await ApplyAsync(_miaSession, text, preview.Token, ["FORGED"], environment: "Production")).Content.ReadAsStringAsync());
        Assert.Contains("Not in this import: OTHER", await (await ApplyAsync(_miaSession, text, preview.Token, ["OTHER"])).Content.ReadAsStringAsync());
        _app.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Contains("no longer valid", await (await ApplyAsync(_miaSession, text, preview.Token, ["FORGED"])).Content.ReadAsStringAsync());

        Assert.Empty(await SecretsAsync());
        _app.AssertNeverRevealed(Canary);
    }

    [Fact]
    public async Task Preview_PastLimitsOrBadFields_ClearMessageNextToTheFieldAndNothingWritten()
    {
        var tooLarge = "BIG=" + new string('a', 1024 * 1024);
        var tooMany = string.Join('\n', Enumerable.Range(0, 5_001).Select(i => $"KEY_{i}=value-{i}"));

        var large = await PreviewAsync(_miaSession, tooLarge);
        var many = await PreviewAsync(_miaSession, tooMany);
        var badEnvironment = await PreviewAsync(_miaSession, "A=b", environment: Canary);
        var empty = await PreviewAsync(_miaSession, "  ");

        Assert.Contains("larger than 1 MiB", await large.Content.ReadAsStringAsync());
        Assert.Contains("id=\"Text-error\"", await large.Content.ReadAsStringAsync());
        Assert.Contains("at most 5,000", await many.Content.ReadAsStringAsync());
        Assert.Contains("Choose Development, Staging or Production.", await badEnvironment.Content.ReadAsStringAsync());
        Assert.Contains("Paste the text", await empty.Content.ReadAsStringAsync());
        foreach (var response in new[] { large, many, badEnvironment, empty })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("value-4999", await response.Content.ReadAsStringAsync());
        }

        Assert.Empty(await SecretsAsync());
        _app.AssertNeverRevealed(Canary);
    }

    [Fact]
    public async Task Import_AnonymousOrWithoutAntiforgery_IsRefused()
    {
        using var anonymous = _app.CreateSession();
        var page = await anonymous.GetAsync("/Secrets/Import");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        var noToken = await _miaSession.PostFormAsync("/Secrets/Import?handler=Preview", new() { ["Input.Text"] = "A=b" }, htmx: true);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
    }
}

[RequiresPostgres]
public sealed class ImportTestsOnPostgres() : ImportTests(new PostgresAppFactory());
