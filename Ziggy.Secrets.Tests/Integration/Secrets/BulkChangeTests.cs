using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>
/// Bulk delete and bulk transfer from the grid's selection, through the page's forms: all or nothing, each secret
/// authorized as a single change, refusals named (ids that do not exist for the caller only counted).
/// </summary>
public class BulkChangeTests : IAsyncLifetime
{
    private static readonly string Value = "sk_live_BULK-CANARY-" + Guid.NewGuid().ToString("N");
    private readonly ZiggyAppFactory _app;
    private ApplicationUser _olivia = null!;
    private ApplicationUser _mia = null!;
    private ApplicationUser _max = null!;
    private ApplicationUser _adam = null!;

    public BulkChangeTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected BulkChangeTests(ZiggyAppFactory app) => _app = app;

    public async Task InitializeAsync()
    {
        _olivia = await _app.SetUpAsync();
        _mia = await _app.AddUserAsync(_olivia.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        _max = await _app.AddUserAsync(_olivia.OrganizationId, "max@acme.test", Role.Member, "Max Member");
        _adam = await _app.AddUserAsync(_olivia.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    private static CurrentUser Actor(ApplicationUser user) => new(user.Id, user.OrganizationId, user.Role, user.DisplayName);

    private async Task<Guid> CreateAsync(ApplicationUser owner, string name)
    {
        var values = new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = Value + name, [SecretEnvironment.Production] = Value + name + "-prd" };
        var result = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(Actor(owner), new SecretDraft(name, "", values)));
        Assert.True(result.IsOk);
        return result.Value!.Id;
    }

    private static string Ids(params Guid[] ids) => string.Join(",", ids);

    /// <summary>The grid page's selection form (with its antiforgery token), posted to <paramref name="handler"/> with <paramref name="fields"/>.</summary>
    private static async Task<HttpResponseMessage> PostAsync(TestSession session, string handler, Dictionary<string, string> fields, bool htmx = true)
    {
        var page = await session.GetPageAsync("/Secrets");
        var token = page.QuerySelector<IHtmlInputElement>("#bulk-form input[name=__RequestVerificationToken]")!.Value;
        return await session.PostFormAsync($"/Secrets?handler={handler}", new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token }, htmx);
    }

    private static Task<HttpResponseMessage> DeleteAsync(TestSession session, string ids, string? confirm = "delete", bool htmx = true)
    {
        var fields = new Dictionary<string, string> { ["ids"] = ids };
        if (confirm is not null) fields["confirm"] = confirm;
        return PostAsync(session, "BulkDelete", fields, htmx);
    }

    private static Task<HttpResponseMessage> TransferAsync(TestSession session, string ids, Guid newOwner, bool htmx = true) =>
        PostAsync(session, "BulkTransfer", new() { ["ids"] = ids, ["newOwnerId"] = newOwner.ToString() }, htmx);

    /// <summary>What htmx would show of a refused bulk change: the dialog's alert and the named field's message.</summary>
    private static async Task<string> RefusalAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fragment = await TestSession.ParseAsync(response);
        return string.Join(" ", fragment.QuerySelectorAll("[hx-swap-oob]").Select(e => e.TextContent.Trim()).Where(t => t.Length > 0));
    }

    private Task<string> SnapshotAsync() => _app.WithDbAsync(async db =>
    {
        var secrets = await db.Secrets.IgnoreQueryFilters().AsNoTracking().OrderBy(s => s.Id).ToListAsync();
        return string.Join("|", secrets.Select(s => $"{s.Id}:{s.OwnerId}:{s.Version}:{s.DeletedAt}:{s.DeletedById}")) + "#" +
               await db.AuditEvents.CountAsync(e => e.Action == AuditAction.SecretTrashed || e.Action == AuditAction.OwnershipTransferred);
    });

    private Task<List<AuditEvent>> EventsAsync(AuditAction action) =>
        _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == action).OrderBy(e => e.SecretName).ToListAsync());

    private Task<List<Secret>> SecretsAsync(params Guid[] ids) =>
        _app.WithDbAsync(db => db.Secrets.IgnoreQueryFilters().AsNoTracking().Where(s => ids.Contains(s.Id)).OrderBy(s => s.Name).ToListAsync());

    [Fact]
    public async Task BulkDelete_OwnersSelection_AllMovedToTrashWithOneAuditEventEach()
    {
        var a = await CreateAsync(_mia, "MIA_A");
        var b = await CreateAsync(_mia, "MIA_B");
        var kept = await CreateAsync(_mia, "MIA_KEPT");
        using var mia = await _app.SignInAsync("mia@acme.test");

        var response = await DeleteAsync(mia, Ids(a, b));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("2 secrets were moved to the", await response.Content.ReadAsStringAsync());
        var trigger = string.Join("", response.Headers.GetValues("HX-Trigger"));
        Assert.Contains("secrets-bulk-deleted", trigger);
        Assert.Contains(a.ToString(), trigger);
        var stored = await SecretsAsync(a, b, kept);
        Assert.All(stored.Where(s => s.Id != kept), s => Assert.Equal((_app.Clock.GetUtcNow(), _mia.Id), (s.DeletedAt!.Value, s.DeletedById!.Value)));
        Assert.Null(stored.Single(s => s.Id == kept).DeletedAt);
        var events = await EventsAsync(AuditAction.SecretTrashed);
        Assert.Equal([("MIA_A", a, _mia.Id), ("MIA_B", b, _mia.Id)], events.Select(e => (e.SecretName!, e.SecretId!.Value, e.ActorId!.Value)));
        Assert.All(events, e => Assert.Equal("Moved to the trash with its values: Development, Production.", e.Details));
        // In the Trash, restorable like any single delete.
        var trash = await mia.GetPageAsync("/Secrets/Trash");
        Assert.Equal(["MIA_A", "MIA_B"], trash.QuerySelectorAll("[data-testid=trash-name]").Select(c => c.TextContent.Trim()).Order());
    }

    [Fact]
    public async Task BulkDelete_MemberSelectsAdminsSecretWithOwn_NothingChangedRefusedNamesListed()
    {
        var own = await CreateAsync(_mia, "MIA_OWN");
        var adams = await CreateAsync(_adam, "ADAM_KEY");
        var maxs = await CreateAsync(_max, "MAX_KEY");
        using var mia = await _app.SignInAsync("mia@acme.test");
        var before = await SnapshotAsync();

        var message = await RefusalAsync(await DeleteAsync(mia, Ids(own, adams, maxs)));

        Assert.Contains("Nothing was changed: you may not delete 2 of the selected secrets: ADAM_KEY, MAX_KEY.", message);
        Assert.DoesNotContain("MIA_OWN", message);
        Assert.Equal(before, await SnapshotAsync());

        // The dialog refuses the same selection before anything is typed.
        var dialog = await TestSession.ParseAsync(await PostAsync(mia, "BulkDeleteDialog", new() { ["ids"] = Ids(own, adams) }));
        Assert.Contains("ADAM_KEY", dialog.QuerySelector("[data-testid=bulk-refused]")!.TextContent);
        Assert.Null(dialog.QuerySelector("[data-testid=bulk-delete-form]"));
    }

    [Fact]
    public async Task BulkDelete_AdminSelection_EveryonesSecretsTrashed()
    {
        var ids = new[] { await CreateAsync(_mia, "MIA_KEY"), await CreateAsync(_max, "MAX_KEY"), await CreateAsync(_olivia, "OLIVIA_KEY") };
        using var adam = await _app.SignInAsync("adam@acme.test");

        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(adam, Ids(ids))).StatusCode);

        Assert.All(await SecretsAsync(ids), s => Assert.Equal(_adam.Id, s.DeletedById));
        Assert.Equal(3, (await EventsAsync(AuditAction.SecretTrashed)).Count(e => e.ActorId == _adam.Id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Delete")]
    [InlineData("delete ")]
    [InlineData("yes")]
    public async Task BulkDelete_WithoutTypedDelete_RefusedNextToTheFieldNothingChanged(string? confirm)
    {
        var a = await CreateAsync(_mia, "MIA_A");
        using var mia = await _app.SignInAsync("mia@acme.test");
        var before = await SnapshotAsync();

        var response = await DeleteAsync(mia, Ids(a), confirm);

        Assert.Equal(SecretService.ConfirmDeleteMessage, await SecretsUi.OutOfBandErrorAsync(response, "Confirm-error"));
        Assert.Equal(before, await SnapshotAsync());
        // Without htmx: a plain 400 with the message, nothing changed.
        var plain = await DeleteAsync(mia, Ids(a), confirm, htmx: false);
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task BulkDelete_OtherOrganizationsOrUnknownId_RefusedAlikeWithoutNamingIt()
    {
        var own = await CreateAsync(_mia, "MIA_OWN");
        var globex = await _app.AddOrganizationAsync("Globex");
        var gina = await _app.AddUserAsync(globex, "gina@globex.test", Role.Admin, "Gina Globex");
        var theirs = await CreateAsync(gina, "GLOBEX_SECRET");
        using var mia = await _app.SignInAsync("mia@acme.test");
        using var olivia = await _app.SignInAsync("owner@acme.test");
        var before = await SnapshotAsync();

        var otherOrganization = await RefusalAsync(await DeleteAsync(olivia, Ids(own, theirs)));
        var unknown = await RefusalAsync(await DeleteAsync(olivia, Ids(own, Guid.NewGuid())));
        var dialog = await (await PostAsync(mia, "BulkDeleteDialog", new() { ["ids"] = Ids(own, theirs) })).Content.ReadAsStringAsync();
        var transfer = await RefusalAsync(await TransferAsync(olivia, Ids(theirs), _mia.Id));

        Assert.Equal("Nothing was changed: 1 of the selected secrets no longer exists. Reload the page and select again.", otherOrganization);
        Assert.Equal(otherOrganization, unknown);
        Assert.Contains("1 of the selected secrets no longer exists", transfer);
        Assert.DoesNotContain("GLOBEX", dialog + otherOrganization + transfer);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("{ID},1")]
    [InlineData("{ID};{ID}")]
    [InlineData("{ID} OR 1=1")]
    [InlineData("%00")]
    public async Task BulkDelete_ForgedIds_RefusedAsUnreadableNothingChanged(string ids)
    {
        var a = await CreateAsync(_mia, "MIA_A");
        using var mia = await _app.SignInAsync("mia@acme.test");
        var before = await SnapshotAsync();

        var message = await RefusalAsync(await DeleteAsync(mia, ids.Replace("{ID}", a.ToString())));

        Assert.Contains(Web.Pages.Secrets.BulkIds.InvalidMessage, message);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task BulkDelete_DuplicatedIds_EachSecretTrashedOnce()
    {
        var a = await CreateAsync(_mia, "MIA_A");
        var b = await CreateAsync(_mia, "MIA_B");
        using var mia = await _app.SignInAsync("mia@acme.test");

        var response = await DeleteAsync(mia, $"{a},{b},{a}, {a.ToString().ToUpperInvariant()}");

        Assert.Contains("2 secrets were moved", await response.Content.ReadAsStringAsync());
        Assert.Equal(["MIA_A", "MIA_B"], (await EventsAsync(AuditAction.SecretTrashed)).Select(e => e.SecretName!));
        Assert.All(await SecretsAsync(a, b), s => Assert.Equal(2, s.Version));
    }

    [Fact]
    public async Task BulkDelete_AlreadyTrashedSecret_RefusedAsUnknownNothingChanged()
    {
        var a = await CreateAsync(_mia, "MIA_A");
        var b = await CreateAsync(_mia, "MIA_B");
        Assert.True((await _app.WithServiceAsync<SecretService, Result<string>>(s => s.DeleteAsync(Actor(_mia), b, "delete"))).IsOk);
        using var mia = await _app.SignInAsync("mia@acme.test");
        var before = await SnapshotAsync();

        Assert.Contains("1 of the selected secrets no longer exists", await RefusalAsync(await DeleteAsync(mia, Ids(a, b))));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task BulkDelete_EmptyOrTooLargeSelection_ClearMessageNothingChanged()
    {
        var a = await CreateAsync(_mia, "MIA_A");
        using var mia = await _app.SignInAsync("mia@acme.test");
        var before = await SnapshotAsync();
        var tooMany = string.Join(",", Enumerable.Range(0, BulkSecretService.MaxSelection).Select(_ => Guid.NewGuid()).Append(a));

        Assert.Contains(BulkSecretService.EmptySelectionMessage, await RefusalAsync(await DeleteAsync(mia, "")));
        Assert.Contains("Select at most 5,000 secrets at a time (you selected 5,001).", await RefusalAsync(await DeleteAsync(mia, tooMany)));
        var dialog = await TestSession.ParseAsync(await PostAsync(mia, "BulkDeleteDialog", new() { ["ids"] = tooMany }));
        Assert.Contains("Select at most 5,000 secrets", dialog.QuerySelector("[data-testid=bulk-refused]")!.TextContent);
        // Through the service too (a caller other than the page).
        var direct = await _app.WithServiceAsync<BulkSecretService, Result<BulkDone>>(s =>
            s.DeleteAsync(Actor(_mia), [.. Enumerable.Range(0, BulkSecretService.MaxSelection + 1).Select(_ => Guid.NewGuid())], "delete"));
        Assert.Equal(BulkSecretService.TooManyMessage(BulkSecretService.MaxSelection + 1), Assert.Single(direct.Errors).Message);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task BulkDelete_MaximumSelection_AllTrashedInOneTransaction()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 40; i++) ids.Add(await CreateAsync(_mia, $"KEY_{i:D2}"));
        var padded = ids.Concat(ids).Concat(Enumerable.Repeat(ids[0], BulkSecretService.MaxSelection - 2 * ids.Count)).ToList();
        Assert.Equal(BulkSecretService.MaxSelection, padded.Count);
        using var mia = await _app.SignInAsync("mia@acme.test");

        Assert.Contains("40 secrets were moved", await (await DeleteAsync(mia, string.Join(",", padded))).Content.ReadAsStringAsync());
        Assert.Equal(40, (await EventsAsync(AuditAction.SecretTrashed)).Count);
    }

    [Fact]
    public async Task BulkDeleteDialog_SaysHowManyListsNamesAndWarnsAboutIntegrations()
    {
        var a = await CreateAsync(_mia, "MIA_A");
        var b = await CreateAsync(_mia, "MIA_B");
        var c = await CreateAsync(_mia, "MIA_C");
        var saved = await _app.WithServiceAsync<IntegrationService, Result<IntegrationDetails>>(s => s.SaveAsync(Actor(_mia), null, null,
            new IntegrationDraft("Charge", "POST", "https://api.example.com/charge", "Authorization: Bearer {{secrets.MIA_A}}\nX-Other: {{secrets.MIA_C}}", "")));
        Assert.True(saved.IsOk);
        using var mia = await _app.SignInAsync("mia@acme.test");

        var response = await PostAsync(mia, "BulkDeleteDialog", new() { ["ids"] = Ids(a, b, c) });
        var html = await response.Content.ReadAsStringAsync();
        var dialog = await TestSession.ParseAsync(response);

        Assert.Equal("Delete 3 secrets?", dialog.QuerySelector("h2")!.TextContent.Trim());
        Assert.Equal(["MIA_A", "MIA_B", "MIA_C"], dialog.QuerySelectorAll("[data-testid=bulk-names] li").Select(li => li.TextContent.Trim()));
        var warning = dialog.QuerySelector("[data-testid=breaks-integrations]")!.TextContent;
        Assert.Contains("breaks 1 integration", warning);
        Assert.Contains("Charge (uses MIA_A, MIA_C)", warning);
        Assert.Equal(Ids(a, b, c).Split(',').Order(), dialog.QuerySelector<IHtmlInputElement>("input[name=ids]")!.Value.Split(',').Order());
        Assert.DoesNotContain(Value, html);
        Assert.DoesNotContain("***", html);

        // The dialog's own form deletes them.
        var done = await mia.SubmitAsync(dialog.Form("[data-testid=bulk-delete-form]"), new() { ["confirm"] = "delete" }, htmx: true);
        Assert.Contains("3 secrets were moved", await done.Content.ReadAsStringAsync());
        Assert.All(await SecretsAsync(a, b, c), s => Assert.NotNull(s.DeletedAt));
    }

    [Fact]
    public async Task BulkTransfer_Admin_AllTransferredOneAuditEventEach()
    {
        var a = await CreateAsync(_mia, "MIA_KEY");
        var b = await CreateAsync(_olivia, "OLIVIA_KEY");
        using var adam = await _app.SignInAsync("adam@acme.test");
        var dialog = await TestSession.ParseAsync(await PostAsync(adam, "BulkTransferDialog", new() { ["ids"] = Ids(a, b) }));
        Assert.Equal("Transfer ownership of 2 secrets", dialog.QuerySelector("h2")!.TextContent.Trim());

        var response = await adam.SubmitAsync(dialog.Form("[data-testid=bulk-transfer-form]"), new() { ["newOwnerId"] = _max.Id.ToString() }, htmx: true);

        Assert.Contains("2 secrets were given to their new owner.", await response.Content.ReadAsStringAsync());
        Assert.Contains("secrets-bulk-transferred", string.Join("", response.Headers.GetValues("HX-Trigger")));
        Assert.Contains("2 secrets transferred to their new owner.", string.Join("", response.Headers.GetValues("HX-Trigger")));
        Assert.All(await SecretsAsync(a, b), s => Assert.Equal((_max.Id, _adam.Id, 2), (s.OwnerId, s.UpdatedById, s.Version)));
        var events = await EventsAsync(AuditAction.OwnershipTransferred);
        Assert.Equal(
            [("MIA_KEY", "Owner changed from Mia Member to Max Member."), ("OLIVIA_KEY", $"Owner changed from {_olivia.DisplayName} to Max Member.")],
            events.Select(e => (e.SecretName!, e.Details)));
        Assert.All(events, e => Assert.Equal((_adam.Id, _max.Id), (e.ActorId!.Value, e.TargetUserId!.Value)));
    }

    [Fact]
    public async Task BulkTransfer_Member_RefusedEvenForOwnSecretsNothingChanged()
    {
        var own = await CreateAsync(_mia, "MIA_KEY");
        using var mia = await _app.SignInAsync("mia@acme.test");
        var before = await SnapshotAsync();

        var message = await RefusalAsync(await TransferAsync(mia, Ids(own), _max.Id));

        Assert.Contains("you may not transfer 1 of the selected secrets: MIA_KEY.", message);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(mia, "BulkTransferDialog", new() { ["ids"] = Ids(own) })).StatusCode);
        Assert.Null((await mia.GetPageAsync("/Secrets")).QuerySelector("[data-testid=bulk-transfer]"));
    }

    [Fact]
    public async Task BulkTransfer_ToInactiveOtherOrganizationOrUnknownUser_RefusedNextToTheOwnerField()
    {
        var a = await CreateAsync(_mia, "MIA_KEY");
        var gone = await _app.AddUserAsync(_olivia.OrganizationId, "gone@acme.test", Role.Member, "Gone Member");
        await _app.WithDbAsync(db => db.Users.Where(u => u.Id == gone.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsActive, false)));
        var globex = await _app.AddOrganizationAsync("Globex");
        var gina = await _app.AddUserAsync(globex, "gina@globex.test", Role.Admin, "Gina Globex");
        using var adam = await _app.SignInAsync("adam@acme.test");
        var before = await SnapshotAsync();

        foreach (var owner in new[] { gone.Id, gina.Id, Guid.NewGuid() })
            Assert.Equal(SecretService.ChooseOwnerMessage, await SecretsUi.OutOfBandErrorAsync(await TransferAsync(adam, Ids(a), owner), "BulkOwner-error"));
        var noOwner = await PostAsync(adam, "BulkTransfer", new() { ["ids"] = Ids(a) });
        Assert.Equal(SecretService.ChooseOwnerMessage, await SecretsUi.OutOfBandErrorAsync(noOwner, "BulkOwner-error"));
        Assert.True((int)(await PostAsync(adam, "BulkTransfer", new() { ["ids"] = Ids(a), ["newOwnerId"] = "not-a-guid" })).StatusCode < 500);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task BulkChanges_WithoutAntiforgeryToken_Refused()
    {
        var a = await CreateAsync(_mia, "MIA_KEY");
        using var mia = await _app.SignInAsync("mia@acme.test");
        var before = await SnapshotAsync();

        var response = await mia.PostFormAsync("/Secrets?handler=BulkDelete", new() { ["ids"] = Ids(a), ["confirm"] = "delete" }, htmx: true);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await SnapshotAsync());
    }
}

[RequiresPostgres]
public sealed class BulkChangeTestsOnPostgres() : BulkChangeTests(new PostgresAppFactory());
