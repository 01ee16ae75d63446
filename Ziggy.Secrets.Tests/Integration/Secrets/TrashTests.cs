using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

public class TrashTests : IAsyncLifetime
{
    private static readonly string Value = "sk_live_TRASH-CANARY-" + Guid.NewGuid().ToString("N");
    private readonly ZiggyAppFactory _app;
    private ApplicationUser _olivia = null!;
    private ApplicationUser _mia = null!;
    private ApplicationUser _max = null!;
    private ApplicationUser _adam = null!;
    private TestSession _owner = null!;

    public TrashTests()
        : this(new ZiggyAppFactory(settings: new() { ["Ziggy:Integrations:AllowPrivateNetworks"] = "true" }))
    {
    }

    protected TrashTests(ZiggyAppFactory app) => _app = app;

    public async Task InitializeAsync()
    {
        _olivia = await _app.SetUpAsync();
        _mia = await _app.AddUserAsync(_olivia.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        _max = await _app.AddUserAsync(_olivia.OrganizationId, "max@acme.test", Role.Member, "Max Member");
        _adam = await _app.AddUserAsync(_olivia.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        _owner = await _app.SignInAsync("owner@acme.test");
    }

    public Task DisposeAsync()
    {
        _owner.Dispose();
        _app.Dispose();
        return Task.CompletedTask;
    }

    private static CurrentUser Actor(ApplicationUser user) => new(user.Id, user.OrganizationId, user.Role, user.DisplayName);

    private async Task<Guid> CreateAsync(ApplicationUser owner, string name, string value = "")
    {
        var values = new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = value.Length > 0 ? value : Value, [SecretEnvironment.Production] = Value + "-prd" };
        var result = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(Actor(owner), new SecretDraft(name, "", values)));
        Assert.True(result.IsOk);
        return result.Value!.Id;
    }

    private async Task TrashAsync(ApplicationUser by, Guid id) =>
        Assert.True((await _app.WithServiceAsync<SecretService, Result<string>>(s => s.DeleteAsync(Actor(by), id, "delete"))).IsOk);

    private Task<Secret?> RowAsync(Guid id) =>
        _app.WithDbAsync(db => db.Secrets.IgnoreQueryFilters().AsNoTracking().Include(s => s.Values).FirstOrDefaultAsync(s => s.Id == id));

    private Task<List<AuditEvent>> EventsAsync(AuditAction action) =>
        _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == action).OrderBy(e => e.Id).ToListAsync());

    private static async Task<List<string>> TrashNamesAsync(TestSession session)
    {
        var page = await session.GetPageAsync("/Secrets/Trash");
        return page.QuerySelectorAll("[data-testid=trash-name]").Select(c => c.TextContent.Trim()).ToList();
    }

    private static async Task<HttpResponseMessage> PostAsync(TestSession session, string handler, Guid id, Dictionary<string, string> fields)
    {
        return await PostUrlAsync(session, $"/Secrets/Trash?handler={handler}&id={id}", fields);
    }

    private static async Task<HttpResponseMessage> PostUrlAsync(TestSession session, string url, Dictionary<string, string> fields)
    {
        var token = (await session.GetPageAsync("/Secrets")).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        return await session.PostFormAsync(url, new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token });
    }

    [Fact]
    public async Task Delete_MovesToTrash_OutOfGridEditorAndLookupsNameFreeValuesKept()
    {
        await SecretsUi.CreateAsync(_owner, "STRIPE_API_KEY", development: Value, production: Value + "-prd");
        var id = await _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == "STRIPE_API_KEY").Select(s => s.Id).SingleAsync());
        var ciphertexts = (await RowAsync(id))!.Values.Select(v => Convert.ToHexString(v.Ciphertext)).Order().ToList();

        var response = await SecretsUi.DeleteAsync(_owner, id, "delete");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("moved to the Trash.", string.Join("", response.Headers.GetValues("HX-Trigger")));
        var rows = JsonDocument.Parse(await (await _owner.GetAsync("/Secrets?handler=Rows")).Content.ReadAsStringAsync());
        Assert.Equal(0, rows.RootElement.GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await _owner.GetAsync($"/Secrets?handler=Edit&id={id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _owner.GetAsync($"/Secrets?handler=Delete&id={id}", htmx: true)).StatusCode);
        var stored = (await RowAsync(id))!;
        Assert.Equal((_app.Clock.GetUtcNow(), _olivia.Id), (stored.DeletedAt!.Value, stored.DeletedById!.Value));
        Assert.Equal(ciphertexts, stored.Values.Select(v => Convert.ToHexString(v.Ciphertext)).Order().ToList());
        var trashed = Assert.Single(await EventsAsync(AuditAction.SecretTrashed));
        Assert.Equal((id, "STRIPE_API_KEY", _olivia.Id), (trashed.SecretId!.Value, trashed.SecretName!, trashed.ActorId!.Value));

        // The name is free again: a new secret takes it, and the grid shows only that one.
        Assert.Equal(HttpStatusCode.Redirect, (await SecretsUi.CreateAsync(_owner, "STRIPE_API_KEY", development: "new-value-123456")).StatusCode);
        Assert.Equal(2, await _app.WithDbAsync(db => db.Secrets.IgnoreQueryFilters().CountAsync(s => s.Name == "STRIPE_API_KEY")));
        rows = JsonDocument.Parse(await (await _owner.GetAsync("/Secrets?handler=Rows")).Content.ReadAsStringAsync());
        Assert.NotEqual(id.ToString(), Assert.Single(rows.RootElement.EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Delete_TrashedSecretAgain_IsNotFoundAndChangesNothing()
    {
        var id = await CreateAsync(_olivia, "STRIPE_API_KEY");
        await TrashAsync(_olivia, id);
        var before = (await RowAsync(id))!;

        Assert.Equal(HttpStatusCode.NotFound, (await _owner.PostFormAsync($"/Secrets?handler=Delete&id={id}",
            new() { ["confirm"] = "delete", ["__RequestVerificationToken"] = (await _owner.GetPageAsync("/Secrets")).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value })).StatusCode);

        Assert.Equal(before.Version, (await RowAsync(id))!.Version);
        Assert.Single(await EventsAsync(AuditAction.SecretTrashed));
    }

    [Fact]
    public async Task Run_IntegrationReferencingATrashedSecret_RefusesWithInTheTrashAndSendsNothing()
    {
        await using var stub = await StubServer.StartAsync();
        var id = await CreateAsync(_olivia, "STRIPE_API_KEY");
        var integration = (await _app.WithServiceAsync<IntegrationService, Result<IntegrationDetails>>(s => s.SaveAsync(Actor(_olivia), null, null,
            new IntegrationDraft("Charge", "POST", stub.BaseUrl + "/echo", "Authorization: Bearer {{secrets.STRIPE_API_KEY}}", "")))).Value!;
        await TrashAsync(_olivia, id);

        var page = await _owner.GetPageAsync($"/Integrations/Edit?id={integration.Id}");
        var response = await _owner.SubmitAsync(page.Form("form.run-form"), new() { ["environment"] = "Development" }, htmx: true);

        var result = (await TestSession.ParseAsync(response)).QuerySelector("[data-testid=run-result]")!.TextContent;
        Assert.Contains("STRIPE_API_KEY is in the trash. Nothing was sent.", result);
        Assert.Empty(stub.Received);
        Assert.Equal(0, _app.Services.GetRequiredService<ISecretCipher>().DecryptCount);

        // Saving a template that names it says so too.
        var saved = await _app.WithServiceAsync<IntegrationService, Result<IntegrationDetails>>(s => s.SaveAsync(Actor(_olivia), null, null,
            new IntegrationDraft("Other", "GET", stub.BaseUrl + "/echo?k={{secrets.STRIPE_API_KEY}}", "", "")));
        Assert.Contains(saved.Errors, e => e.Message.Contains("STRIPE_API_KEY is in the trash"));
    }

    [Fact]
    public async Task List_OwnersSeeTheirOwnAdminsSeeAll_WithWhoWhenAndPurgeDate()
    {
        var olivias = await CreateAsync(_olivia, "OLIVIA_KEY");
        var mias = await CreateAsync(_mia, "MIA_KEY");
        await TrashAsync(_olivia, olivias);
        _app.Clock.Advance(TimeSpan.FromHours(1));
        await TrashAsync(_adam, mias);
        using var mia = await _app.SignInAsync("mia@acme.test");
        using var max = await _app.SignInAsync("max@acme.test");
        using var adam = await _app.SignInAsync("adam@acme.test");

        Assert.Equal(["MIA_KEY", "OLIVIA_KEY"], await TrashNamesAsync(_owner));
        Assert.Equal(["MIA_KEY", "OLIVIA_KEY"], await TrashNamesAsync(adam));
        Assert.Equal(["MIA_KEY"], await TrashNamesAsync(mia));
        Assert.Empty(await TrashNamesAsync(max));
        Assert.NotNull((await max.GetPageAsync("/Secrets/Trash")).QuerySelector("[data-testid=trash-empty]"));

        var page = await mia.GetPageAsync("/Secrets/Trash");
        page.AssertEveryFieldLabelled();
        var cells = page.QuerySelectorAll("[data-testid=trash-row] td").Select(c => c.TextContent.Trim()).Take(5).ToList();
        var deletedAt = _app.Clock.GetUtcNow().UtcDateTime;
        Assert.Equal(["MIA_KEY", "Mia Member", "Adam Admin", deletedAt.ToString("yyyy-MM-dd HH:mm"), deletedAt.AddDays(30).ToString("yyyy-MM-dd")], cells);
        Assert.NotNull((await _owner.GetPageAsync("/Secrets")).QuerySelector("a[data-testid=trash-link][href='/Secrets/Trash']"));
    }

    [Fact]
    public async Task Restore_BringsTheSecretBackWithItsValuesAndAnAuditEvent()
    {
        var id = await CreateAsync(_mia, "STRIPE_API_KEY");
        var ciphertexts = (await RowAsync(id))!.Values.Select(v => Convert.ToHexString(v.Ciphertext)).Order().ToList();
        await TrashAsync(_mia, id);
        using var mia = await _app.SignInAsync("mia@acme.test");

        var page = await mia.GetPageAsync("/Secrets/Trash");
        var response = await mia.SubmitAsync(page.Form("form.restore-form"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var after = await mia.GetPageAsync(response.Headers.Location!.ToString());
        Assert.Equal("STRIPE_API_KEY was restored to the Secrets page.", after.QuerySelector("[data-testid=trash-message]")!.TextContent.Trim());
        var stored = (await RowAsync(id))!;
        Assert.Null(stored.DeletedAt);
        Assert.Null(stored.DeletedById);
        Assert.Equal(ciphertexts, stored.Values.Select(v => Convert.ToHexString(v.Ciphertext)).Order().ToList());
        var editor = await SecretsUi.EditPageAsync(mia, id);
        Assert.Equal(SecretMask.For(Value), SecretsUi.MaskShown(editor, "Development"));
        var restored = Assert.Single(await EventsAsync(AuditAction.SecretRestoredFromTrash));
        Assert.Equal((id, _mia.Id, "Restored from the trash."), (restored.SecretId!.Value, restored.ActorId!.Value, restored.Details));
        Assert.Empty(await TrashNamesAsync(mia));
    }

    [Fact]
    public async Task Restore_NameTakenAgain_IsRefusedAndOffersANewNameValidatedLikeAnyName()
    {
        var id = await CreateAsync(_olivia, "STRIPE_API_KEY");
        await TrashAsync(_olivia, id);
        await CreateAsync(_olivia, "STRIPE_API_KEY", "the-new-one-123456");
        await CreateAsync(_olivia, "OTHER_KEY");

        var page = await _owner.GetPageAsync("/Secrets/Trash");
        var refused = await _owner.SubmitAsync(page.Form("form.restore-form"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var form = await TestSession.ParseAsync(refused);
        form.AssertEveryFieldLabelled();
        Assert.Equal(TrashService.NameTakenMessage("STRIPE_API_KEY"), form.QuerySelector($"#restore-error-{id:N}")!.TextContent.Trim());
        Assert.NotNull(form.QuerySelector("input[name=newName]"));
        Assert.NotNull((await RowAsync(id))!.DeletedAt);

        foreach (var (name, message) in new[]
                 {
                     ("bad name", "Use capital letters, digits and underscores only, starting with a letter (for example STRIPE_API_KEY)."),
                     ("other_key", SecretRules.DuplicateNameMessage("OTHER_KEY")),
                     (new string('A', 129), "The name can be at most 128 characters (it has 129)."),
                 })
        {
            var again = await _owner.SubmitAsync(form.Form("form.restore-form"), new() { ["newName"] = name });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
            Assert.Equal(message, (await TestSession.ParseAsync(again)).QuerySelector($"#restore-error-{id:N}")!.TextContent.Trim());
            Assert.NotNull((await RowAsync(id))!.DeletedAt);
        }

        var renamed = await _owner.SubmitAsync(form.Form("form.restore-form"), new() { ["newName"] = "stripe_api_key_old" });

        Assert.Equal(HttpStatusCode.Redirect, renamed.StatusCode);
        var stored = (await RowAsync(id))!;
        Assert.Equal(("STRIPE_API_KEY_OLD", (DateTimeOffset?)null), (stored.Name, stored.DeletedAt));
        // Its values are bound to the secret's id, not its name: they still decrypt for an integration under the new name.
        var resolved = await _app.WithServiceAsync<SecretValueResolver, Result<IReadOnlyList<ResolvedValue>>>(r =>
            r.ResolveAsync(_olivia.OrganizationId, ["STRIPE_API_KEY_OLD"], SecretEnvironment.Development, _ => Task.FromResult<IReadOnlyList<string>>([])));
        Assert.Equal(Value, Assert.Single(resolved.Value!).Value);
        Assert.Equal("Restored from the trash as STRIPE_API_KEY_OLD (it was STRIPE_API_KEY).", Assert.Single(await EventsAsync(AuditAction.SecretRestoredFromTrash)).Details);
    }

    [Fact]
    public async Task DeletePermanently_OnlyWithTheTypedWord_RemovesRowAndValuesWithAnAuditEvent()
    {
        var id = await CreateAsync(_olivia, "STRIPE_API_KEY");
        await TrashAsync(_olivia, id);
        var page = await _owner.GetPageAsync("/Secrets/Trash");

        foreach (var confirm in new[] { "", "Delete", "DELETE", "delete ", "yes" })
        {
            var refused = await _owner.SubmitAsync(page.Form("form.delete-form"), new() { ["confirm"] = confirm });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Equal(SecretService.ConfirmDeleteMessage, (await TestSession.ParseAsync(refused)).QuerySelector($"#delete-error-{id:N}")!.TextContent.Trim());
        }

        Assert.Equal(2, (await RowAsync(id))!.Values.Count);
        var deleted = await _owner.SubmitAsync(page.Form("form.delete-form"), new() { ["confirm"] = "delete" });

        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Null(await RowAsync(id));
        Assert.Equal(0, await _app.WithDbAsync(db => db.SecretValues.CountAsync(v => v.SecretId == id)));
        var audited = Assert.Single(await EventsAsync(AuditAction.SecretPermanentlyDeleted));
        Assert.Equal((id, "STRIPE_API_KEY", _olivia.Id), (audited.SecretId!.Value, audited.SecretName!, audited.ActorId!.Value));
        Assert.Equal(HttpStatusCode.NotFound, (await _owner.SubmitAsync(page.Form("form.delete-form"), new() { ["confirm"] = "delete" })).StatusCode);
    }

    [Fact]
    public async Task Purge_After30Days_DeletesForGoodOnceWithAnAuditEvent()
    {
        var old = await CreateAsync(_olivia, "OLD_KEY");
        var recent = await CreateAsync(_mia, "RECENT_KEY");
        var live = await CreateAsync(_mia, "LIVE_KEY");
        await TrashAsync(_olivia, old);
        _app.Clock.Advance(TimeSpan.FromDays(2));
        await TrashAsync(_mia, recent);
        var job = _app.Services.GetRequiredService<TrashPurgeJob>();

        _app.Clock.Advance(TimeSpan.FromDays(28) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await job.RunOnceAsync());
        Assert.NotNull(await RowAsync(old));

        _app.Clock.Advance(TimeSpan.FromMinutes(2));
        await job.RunOnceAsync();
        // Run again, as a second instance would: nothing more is purged.
        await job.RunOnceAsync();

        Assert.Null(await RowAsync(old));
        Assert.Equal(0, await _app.WithDbAsync(db => db.SecretValues.CountAsync(v => v.SecretId == old)));
        Assert.NotNull((await RowAsync(recent))!.DeletedAt);
        Assert.Null((await RowAsync(live))!.DeletedAt);
        var purged = Assert.Single(await EventsAsync(AuditAction.SecretPurged));
        Assert.Equal((old, "OLD_KEY", (Guid?)null, _olivia.OrganizationId), (purged.SecretId!.Value, purged.SecretName!, purged.ActorId, purged.OrganizationId!.Value));

        _app.Clock.Advance(TimeSpan.FromDays(2));
        await job.RunOnceAsync();
        Assert.Null(await RowAsync(recent));
        Assert.Equal(2, (await EventsAsync(AuditAction.SecretPurged)).Count);
        Assert.NotNull(await RowAsync(live));
    }

    [Fact]
    public async Task Purge_SeveralPassesAtOnce_EachSecretIsPurgedExactlyOnce()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++) ids.Add(await CreateAsync(_olivia, $"OLD_KEY_{i}"));
        foreach (var id in ids) await TrashAsync(_olivia, id);
        _app.Clock.Advance(TimeSpan.FromDays(31));

        // Separate contexts and transactions, as two instances on one database would run them.
        var passes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => _app.WithServiceAsync<TrashService, int>(t => t.PurgeDueAsync())));

        Assert.InRange(passes.Sum(), 0, ids.Count);
        Assert.Equal(0, await _app.WithDbAsync(db => db.Secrets.IgnoreQueryFilters().CountAsync()));
        Assert.Equal(ids.Order(), (await EventsAsync(AuditAction.SecretPurged)).Select(e => e.SecretId!.Value).Order());
    }

    [Fact]
    public async Task TrashEndpoints_MemberNotOwnerOtherOrganizationAndForgedIds_AreNotFoundAndChangeNothing()
    {
        var olivias = await CreateAsync(_olivia, "OLIVIA_KEY");
        var live = await CreateAsync(_olivia, "LIVE_KEY");
        await TrashAsync(_olivia, olivias);
        var globex = await _app.AddOrganizationAsync("Globex");
        var otto = await _app.AddUserAsync(globex, "otto@globex.test", Role.SuperAdmin, "Otto Other");
        var ottos = await CreateAsync(otto, "OLIVIA_KEY");
        await TrashAsync(otto, ottos);
        using var max = await _app.SignInAsync("max@acme.test");
        using var other = await _app.SignInAsync("otto@globex.test");
        var snapshot = () => _app.WithDbAsync(async db => string.Join("|", (await db.Secrets.IgnoreQueryFilters().AsNoTracking().Include(s => s.Values).OrderBy(s => s.Id).ToListAsync())
            .Select(s => $"{s.Id}:{s.Name}:{s.DeletedAt}:{s.Version}:{s.Values.Count}")));
        var before = await snapshot();

        foreach (var (session, id) in new[] { (max, olivias), (other, olivias), (_owner, ottos), (_owner, live), (_owner, Guid.NewGuid()), (max, live) })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(session, "Restore", id, new())).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(session, "Restore", id, new() { ["newName"] = "FRESH_NAME" })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(session, "Delete", id, new() { ["confirm"] = "delete" })).StatusCode);
        }

        // Path spellings of the handler reach the same page, and the same refusal.
        foreach (var url in new[] { $"/secrets/trash?handler=delete&id={olivias}", $"/Secrets/Trash/?handler=Delete&id={olivias:N}", $"/SECRETS/TRASH?handler=DELETE&id={olivias.ToString().ToUpperInvariant()}" })
            Assert.Equal(HttpStatusCode.NotFound, (await PostUrlAsync(max, url, new() { ["confirm"] = "delete" })).StatusCode);

        // Without the antiforgery token nothing happens either, for the owner herself.
        Assert.Equal(HttpStatusCode.BadRequest, (await _owner.PostFormAsync($"/Secrets/Trash?handler=Delete&id={olivias}", new() { ["confirm"] = "delete" })).StatusCode);
        Assert.Equal(before, await snapshot());
        // The other organization's trash holds only its own secret of the same name.
        Assert.Equal(["OLIVIA_KEY"], await TrashNamesAsync(other));
        Assert.Equal(ottos.ToString(), (await other.GetPageAsync("/Secrets/Trash")).QuerySelector("[data-testid=trash-row]")!.Id![6..]);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class TrashTestsOnPostgres() : TrashTests(new PostgresAppFactory());
