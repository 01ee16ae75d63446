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
using Ziggy.Secrets.Web.Operations;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>Value history, restore, fingerprints and the value warnings, through the real pages and services.</summary>
public class ValueHistoryTests : IDisposable
{
    private const string First = "prod-first-value-0001";
    private const string Second = "prod-second-value-0002";
    private readonly ZiggyAppFactory _app;

    public ValueHistoryTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected ValueHistoryTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    private long Decrypts => _app.Services.GetRequiredService<ISecretCipher>().DecryptCount;

    private static CurrentUser Actor(ApplicationUser user) => new(user.Id, user.OrganizationId, user.Role, user.DisplayName);

    private Task<Result<SavedSecret>> CreateAsync(CurrentUser actor, string name, Dictionary<SecretEnvironment, string> values) =>
        _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(actor, new SecretDraft(name, "", values)));

    private Task<Result<SavedSecret>> SetAsync(CurrentUser actor, SavedSecret secret, string name, SecretEnvironment environment, string value) =>
        _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(actor, secret.Id,
            new SecretChanges(secret.Version, name, "", new Dictionary<SecretEnvironment, string> { [environment] = value })));

    private Task<List<SecretValueVersion>> VersionsAsync(Guid id, SecretEnvironment environment) =>
        _app.WithDbAsync(db => db.SecretValueVersions.AsNoTracking().Where(v => v.SecretId == id && v.Environment == environment).OrderBy(v => v.Number).ToListAsync());

    private Task<string> ResolveAsync(Guid organizationId, string name, SecretEnvironment environment) =>
        _app.WithServiceAsync<SecretValueResolver, string>(async r =>
        {
            var resolved = await r.ResolveAsync(organizationId, [name], environment, _ => Task.FromResult<IReadOnlyList<string>>([]));
            Assert.True(resolved.IsOk, string.Join("; ", resolved.Errors.Select(e => e.Message)));
            return resolved.Value!.Single().Value;
        });

    /// <summary>The owner, a secret with two Production values (so version 1 can be restored) and the owner's session.</summary>
    private async Task<(ApplicationUser Owner, SavedSecret Secret, TestSession Session)> SecretWithTwoVersionsAsync()
    {
        var owner = await _app.SetUpAsync();
        var created = (await CreateAsync(Actor(owner), "DB_PASSWORD", new() { [SecretEnvironment.Production] = First })).Value!;
        var updated = (await SetAsync(Actor(owner), created, "DB_PASSWORD", SecretEnvironment.Production, Second)).Value!;
        return (owner, updated, await _app.SignInAsync("owner@acme.test"));
    }

    private static async Task<IHtmlDocument> HistoryAsync(TestSession session, Guid id, SecretEnvironment environment)
    {
        var response = await session.GetAsync($"/Secrets?handler=History&id={id}&environment={environment}", htmx: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TestSession.ParseAsync(response);
    }

    private static IHtmlFormElement RestoreForm(IHtmlDocument history, SecretEnvironment environment, int number) =>
        (IHtmlFormElement)history.QuerySelector($"[data-testid=restore-{environment}-{number}]")!.Closest("form")!;

    [Fact]
    public async Task Save_EachWriteAndRemoval_IsKeptAsAVersionShownNewestFirstWithoutValues()
    {
        var (owner, secret, session) = await SecretWithTwoVersionsAsync();
        var removed = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(Actor(owner), secret.Id,
            new SecretChanges(secret.Version, "DB_PASSWORD", "", new Dictionary<SecretEnvironment, string>(), [SecretEnvironment.Production])));
        Assert.True(removed.IsOk);

        var versions = await VersionsAsync(secret.Id, SecretEnvironment.Production);
        Assert.Equal([1, 2, 3], versions.Select(v => v.Number));
        Assert.Equal([false, false, true], versions.Select(v => v.Removed));
        Assert.All(versions, v => Assert.Equal(owner.Id, v.WrittenById));
        Assert.Null(versions[2].Ciphertext);
        Assert.Equal("prod-***02", versions[1].Mask);

        var history = await HistoryAsync(session, secret.Id, SecretEnvironment.Production);
        var rows = history.QuerySelectorAll("tbody tr").Select(r => r.GetAttribute("data-testid")).ToList();
        Assert.Equal(["version-Production-3", "version-Production-2", "version-Production-1"], rows);
        Assert.Contains("removed", history.QuerySelector("[data-testid=version-Production-3]")!.TextContent);
        Assert.Contains("Olivia Owner", history.QuerySelector("[data-testid=version-Production-1]")!.TextContent);
        Assert.Contains("prod-***01", history.QuerySelector("[data-testid=version-Production-1]")!.TextContent);
        var empty = await HistoryAsync(session, secret.Id, SecretEnvironment.Staging);
        Assert.NotNull(empty.QuerySelector("[data-testid=history-empty-Staging]"));
        _app.AssertNeverRevealed(First);
        _app.AssertNeverRevealed(Second);
        Assert.Equal(0, Decrypts);
    }

    [Fact]
    public async Task DeletePermanently_TakesItsHistoryWithIt_TheTrashKeepsIt()
    {
        var (owner, secret, _) = await SecretWithTwoVersionsAsync();
        var other = (await CreateAsync(Actor(owner), "OTHER", new() { [SecretEnvironment.Staging] = "other-value-123456" })).Value!;

        var trashed = await _app.WithServiceAsync<SecretService, Result<string>>(s => s.DeleteAsync(Actor(owner), secret.Id, SecretRules.DeleteConfirmation));
        Assert.True(trashed.IsOk);
        // In the trash the history stays (a restore brings the secret back whole); deleting it permanently takes it.
        Assert.Equal(2, await _app.WithDbAsync(db => db.SecretValueVersions.Select(v => v.SecretId).Distinct().CountAsync()));

        var deleted = await _app.WithServiceAsync<TrashService, Result<string>>(t => t.DeletePermanentlyAsync(Actor(owner), secret.Id, SecretRules.DeleteConfirmation));

        Assert.True(deleted.IsOk);
        Assert.Equal([other.Id], await _app.WithDbAsync(db => db.SecretValueVersions.Select(v => v.SecretId).Distinct().ToListAsync()));
    }

    [Fact]
    public async Task Save_ManyVersions_KeepsEveryYoungOneThenOnlyTheNewest50()
    {
        var owner = await _app.SetUpAsync();
        var secret = (await CreateAsync(Actor(owner), "ROTATED", new() { [SecretEnvironment.Staging] = "staging-value-0000" })).Value!;
        for (var i = 1; i < 55; i++) secret = (await SetAsync(Actor(owner), secret, "ROTATED", SecretEnvironment.Staging, $"staging-value-{i:D4}")).Value!;
        Assert.Equal(55, (await VersionsAsync(secret.Id, SecretEnvironment.Staging)).Count);

        // 91 days later the old versions are past the age limit: only the newest 50 stay.
        _app.Clock.Advance(TimeSpan.FromDays(91));
        await SetAsync(Actor(owner), secret, "ROTATED", SecretEnvironment.Staging, "staging-value-0055");

        var kept = await VersionsAsync(secret.Id, SecretEnvironment.Staging);
        Assert.Equal(Enumerable.Range(7, 50), kept.Select(v => v.Number));
    }

    [Fact]
    public async Task Save_VersionsOfDifferentAges_PrunesOnlyThoseBothOldAndBeyondTheNewest50()
    {
        var owner = await _app.SetUpAsync();
        var secret = (await CreateAsync(Actor(owner), "ROTATED", new() { [SecretEnvironment.Staging] = "staging-value-0000" })).Value!;
        for (var i = 1; i < 11; i++) secret = (await SetAsync(Actor(owner), secret, "ROTATED", SecretEnvironment.Staging, $"staging-value-{i:D4}")).Value!;
        _app.Clock.Advance(TimeSpan.FromDays(60));
        for (var i = 11; i < 61; i++) secret = (await SetAsync(Actor(owner), secret, "ROTATED", SecretEnvironment.Staging, $"staging-value-{i:D4}")).Value!;
        Assert.Equal(61, (await VersionsAsync(secret.Id, SecretEnvironment.Staging)).Count);

        // Versions 1-11 are now 91 days old, 12-61 are 31 days old: a save keeps the newest 50 (13-62) and every young one (12).
        _app.Clock.Advance(TimeSpan.FromDays(31));
        secret = (await SetAsync(Actor(owner), secret, "ROTATED", SecretEnvironment.Staging, "staging-value-0061")).Value!;
        Assert.Equal(Enumerable.Range(12, 51), (await VersionsAsync(secret.Id, SecretEnvironment.Staging)).Select(v => v.Number));

        // Once version 12 is old too, the next save prunes it.
        _app.Clock.Advance(TimeSpan.FromDays(60));
        await SetAsync(Actor(owner), secret, "ROTATED", SecretEnvironment.Staging, "staging-value-0062");
        Assert.Equal(Enumerable.Range(14, 50), (await VersionsAsync(secret.Id, SecretEnvironment.Staging)).Select(v => v.Number));
    }

    [Fact]
    public async Task Save_BeyondTheNewest50_LooksForVersionsToPruneOnlyOnceTheOldestIsPastTheAgeLimit()
    {
        var owner = await _app.SetUpAsync();
        var secret = (await CreateAsync(Actor(owner), "ROTATED", new() { [SecretEnvironment.Staging] = "staging-value-0000" })).Value!;
        for (var i = 1; i < 55; i++) secret = (await SetAsync(Actor(owner), secret, "ROTATED", SecretEnvironment.Staging, $"staging-value-{i:D4}")).Value!;

        // Every version is younger than 90 days: none can go, so the save does not look for any.
        _app.LogLines.Clear();
        secret = (await SetAsync(Actor(owner), secret, "ROTATED", SecretEnvironment.Staging, "staging-value-0055")).Value!;
        Assert.NotEmpty(_app.ExecutedStatements());
        Assert.DoesNotContain(_app.ExecutedStatements(), PruneRead);
        Assert.Equal(56, (await VersionsAsync(secret.Id, SecretEnvironment.Staging)).Count);

        // Once the oldest is past the limit, the save looks, and prunes.
        _app.Clock.Advance(TimeSpan.FromDays(91));
        _app.LogLines.Clear();
        await SetAsync(Actor(owner), secret, "ROTATED", SecretEnvironment.Staging, "staging-value-0056");
        Assert.Contains(_app.ExecutedStatements(), PruneRead);
        Assert.Equal(Enumerable.Range(8, 50), (await VersionsAsync(secret.Id, SecretEnvironment.Staging)).Select(v => v.Number));

        static bool PruneRead(string sql) => sql.Contains("\"WrittenAt\" < @", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_EarlierVersion_BecomesCurrentAsANewVersionWithoutDecryptingOrSendingIt()
    {
        var (owner, secret, session) = await SecretWithTwoVersionsAsync();
        var history = await HistoryAsync(session, secret.Id, SecretEnvironment.Production);
        Assert.Null(history.QuerySelector("[data-testid=restore-Production-2]")); // the current version
        var decryptsBefore = Decrypts;

        var response = await session.SubmitAsync(RestoreForm(history, SecretEnvironment.Production, 1), htmx: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(decryptsBefore, Decrypts);
        var editor = await TestSession.ParseAsync(response);
        Assert.Equal("prod-***01", SecretsUi.MaskShown(editor, "Production"));
        var versions = await VersionsAsync(secret.Id, SecretEnvironment.Production);
        Assert.Equal([1, 2, 3], versions.Select(v => v.Number));
        Assert.Equal(1, versions[2].RestoredFrom);
        Assert.Equal(versions[0].Ciphertext, versions[2].Ciphertext);
        var current = await _app.WithDbAsync(db => db.SecretValues.AsNoTracking().SingleAsync(v => v.SecretId == secret.Id));
        Assert.Equal(versions[0].Ciphertext, current.Ciphertext);
        Assert.Equal(versions[0].Fingerprint, current.Fingerprint);
        Assert.Equal(secret.Version + 1, await _app.WithDbAsync(db => db.Secrets.Where(s => s.Id == secret.Id).Select(s => s.Version).SingleAsync()));
        Assert.Equal(First, await ResolveAsync(owner.OrganizationId, "DB_PASSWORD", SecretEnvironment.Production));
        var audit = await _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == AuditAction.SecretValueRestored));
        Assert.Equal("Restored version 1 of Production.", audit.Details);
        Assert.Equal(secret.Id, audit.SecretId);
        _app.AssertNeverRevealed(First);
        _app.AssertNeverRevealed(Second);
    }

    [Fact]
    public async Task Restore_AfterSomeoneElseSaved_IsRefusedAndChangesNothing()
    {
        var (owner, secret, session) = await SecretWithTwoVersionsAsync();
        var history = await HistoryAsync(session, secret.Id, SecretEnvironment.Production);
        await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s =>
            s.UpdateAsync(Actor(owner), secret.Id, new SecretChanges(secret.Version, "DB_PASSWORD", "changed elsewhere", new Dictionary<SecretEnvironment, string>())));

        var response = await session.SubmitAsync(RestoreForm(history, SecretEnvironment.Production, 1), htmx: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("none", response.Headers.GetValues("HX-Reswap").Single());
        Assert.Contains("after you opened it", await SecretsUi.OutOfBandErrorAsync(response, "editor-alert"));
        Assert.Equal(2, (await VersionsAsync(secret.Id, SecretEnvironment.Production)).Count);
        Assert.Equal(Second, await ResolveAsync(owner.OrganizationId, "DB_PASSWORD", SecretEnvironment.Production));
    }

    [Fact]
    public async Task Restore_MemberWhoIsNotTheOwner_SeesTheHistoryButNoRestoreAndAForgedPostIsRefused()
    {
        var (owner, secret, _) = await SecretWithTwoVersionsAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var mia = await _app.SignInAsync("mia@acme.test");

        var history = await HistoryAsync(mia, secret.Id, SecretEnvironment.Production);
        Assert.Equal(2, history.QuerySelectorAll("tbody tr").Length);
        Assert.Empty(history.QuerySelectorAll("form"));

        var token = (await SecretsUi.EditPageAsync(mia, secret.Id)).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var forged = await mia.PostFormAsync($"/Secrets?handler=Restore&id={secret.Id}&environment=Production&number=1",
            new() { ["__RequestVerificationToken"] = token, ["Input.Version"] = secret.Version.ToString() }, htmx: true);

        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.Equal(2, (await VersionsAsync(secret.Id, SecretEnvironment.Production)).Count);
        Assert.Equal(Second, await ResolveAsync(owner.OrganizationId, "DB_PASSWORD", SecretEnvironment.Production));
    }

    [Fact]
    public async Task HistoryAndRestore_OtherOrganization_Answer404()
    {
        var (_, secret, _) = await SecretWithTwoVersionsAsync();
        var globex = await _app.AddOrganizationAsync("Globex");
        await _app.AddUserAsync(globex, "gina@globex.test", Role.SuperAdmin, "Gina Globex");
        using var gina = await _app.SignInAsync("gina@globex.test");

        var history = await gina.GetAsync($"/Secrets?handler=History&id={secret.Id}&environment=Production", htmx: true);
        var token = (await gina.GetPageAsync("/Secrets?handler=New")).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var restore = await gina.PostFormAsync($"/Secrets?handler=Restore&id={secret.Id}&environment=Production&number=1",
            new() { ["__RequestVerificationToken"] = token, ["Input.Version"] = secret.Version.ToString() }, htmx: true);

        Assert.Equal(HttpStatusCode.NotFound, history.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, restore.StatusCode);
        Assert.Equal(2, (await VersionsAsync(secret.Id, SecretEnvironment.Production)).Count);
    }

    [Theory]
    [InlineData("Production", "99", "Version 99 of Production does not exist")]
    [InlineData("Production", "-1", "Version -1 of Production does not exist")]
    [InlineData("Staging", "1", "Version 1 of Staging does not exist")]
    [InlineData("Nowhere", "1", null)]
    [InlineData("7", "1", null)]
    [InlineData("Production", "one", null)]
    public async Task Restore_ForgedEnvironmentOrVersion_ChangesNothing(string environment, string number, string? message)
    {
        var (owner, secret, session) = await SecretWithTwoVersionsAsync();
        var token = (await SecretsUi.EditPageAsync(session, secret.Id)).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        var response = await session.PostFormAsync($"/Secrets?handler=Restore&id={secret.Id}&environment={Uri.EscapeDataString(environment)}&number={number}",
            new() { ["__RequestVerificationToken"] = token, ["Input.Version"] = secret.Version.ToString() }, htmx: true);

        if (message is null) Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        else Assert.Contains(message, await SecretsUi.OutOfBandErrorAsync(response, "editor-alert"));
        Assert.Equal(2, (await VersionsAsync(secret.Id, SecretEnvironment.Production)).Count);
        Assert.Equal(Second, await ResolveAsync(owner.OrganizationId, "DB_PASSWORD", SecretEnvironment.Production));
    }

    [Fact]
    public async Task Restore_ARemovalOrAnUnknownSecret_IsRefused()
    {
        var (owner, secret, session) = await SecretWithTwoVersionsAsync();
        var removed = (await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(Actor(owner), secret.Id,
            new SecretChanges(secret.Version, "DB_PASSWORD", "", new Dictionary<SecretEnvironment, string>(), [SecretEnvironment.Production])))).Value!;
        var put = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(Actor(owner), secret.Id,
            new SecretChanges(removed.Version, "DB_PASSWORD", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Production] = "prod-third-value-003" })));

        var removal = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.RestoreAsync(Actor(owner), secret.Id, SecretEnvironment.Production, 3, put.Value!.Version));
        var unknown = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.RestoreAsync(Actor(owner), Guid.NewGuid(), SecretEnvironment.Production, 1, 1));

        Assert.Equal(Outcome.Invalid, removal.Outcome);
        Assert.Contains("is the removal of the value", removal.Errors.Single().Message);
        Assert.Equal(Outcome.NotFound, unknown.Outcome);
        Assert.Equal(4, (await VersionsAsync(secret.Id, SecretEnvironment.Production)).Count);
    }

    [Fact]
    public async Task Fingerprints_EqualValuesMatch_TheEditorSaysSoAndTheGridFlagFollowsEveryWrite()
    {
        var owner = await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        var secret = (await CreateAsync(Actor(owner), "API_KEY", new()
        {
            [SecretEnvironment.Development] = "dev-value-abcdef", [SecretEnvironment.Staging] = "shared-value-123456", [SecretEnvironment.Production] = "shared-value-123456",
        })).Value!;

        var editor = await SecretsUi.EditPageAsync(session, secret.Id);
        Assert.Equal("Staging and Production have the same value.", editor.QuerySelector("[data-testid=same-values]")!.TextContent.Trim());
        var staging = editor.QuerySelector("[data-testid=fingerprint-Staging]")!.TextContent;
        Assert.Matches(@"Fingerprint: [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}", staging);
        Assert.Equal(staging, editor.QuerySelector("[data-testid=fingerprint-Production]")!.TextContent);
        Assert.NotEqual(staging, editor.QuerySelector("[data-testid=fingerprint-Development]")!.TextContent);
        Assert.True(await ProdSharedAsync(session));

        var changed = (await SetAsync(Actor(owner), secret, "API_KEY", SecretEnvironment.Production, "prod-own-value-654321")).Value!;
        editor = await SecretsUi.EditPageAsync(session, secret.Id);
        Assert.Null(editor.QuerySelector("[data-testid=same-values]"));
        Assert.False(await ProdSharedAsync(session));

        await SetAsync(Actor(owner), changed, "API_KEY", SecretEnvironment.Development, "prod-own-value-654321");
        editor = await SecretsUi.EditPageAsync(session, secret.Id);
        Assert.Equal("Development and Production have the same value.", editor.QuerySelector("[data-testid=same-values]")!.TextContent.Trim());
        Assert.True(await ProdSharedAsync(session));
        _app.AssertNeverRevealed("shared-value-123456");
        _app.AssertNeverRevealed("prod-own-value-654321");
    }

    private static async Task<bool> ProdSharedAsync(TestSession session)
    {
        using var rows = JsonDocument.Parse(await (await session.GetAsync("/Secrets?handler=Rows")).Content.ReadAsStringAsync());
        return rows.RootElement.EnumerateArray().Single().GetProperty("prodShared").GetBoolean();
    }

    [Theory]
    [InlineData(" leading-space-value", "starts with a space")]
    [InlineData("trailing-newline-value\n", "ends with a line break")]
    [InlineData("zero\u200Bwidth-value", "a zero-width space (U+200B) at character 5")]
    [InlineData("\uFEFFbom-value-here", "a byte order mark (U+FEFF) at character 1")]
    [InlineData("bidi-\u202Eeulav", "a bidirectional override (U+202E)")]
    [InlineData("bell\u0007-value", "a control character (U+0007)")]
    public async Task Create_ValueThatLooksAccidental_WarnsWithoutStoringOrEchoingIt_ThenSaveAnywayStoresIt(string value, string problem)
    {
        await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        var page = await session.GetPageAsync("/Secrets?handler=New");
        var form = page.Form("#secret-form");

        var warned = await session.SubmitAsync(form, new() { ["Input.Name"] = "ODD_VALUE", ["Input.Production"] = value }, htmx: true);

        Assert.Equal(HttpStatusCode.OK, warned.StatusCode);
        Assert.Equal("none", warned.Headers.GetValues("HX-Reswap").Single());
        var fragment = await TestSession.ParseAsync(warned);
        var slot = fragment.QuerySelector("#Input_Production-warning[hx-swap-oob]")!;
        Assert.Contains(problem, slot.TextContent);
        Assert.NotNull(slot.QuerySelector("input[type=checkbox][name='Input.ConfirmProduction']"));
        Assert.Equal("", fragment.QuerySelector("#Input_Development-warning[hx-swap-oob]")!.TextContent.Trim());
        Assert.DoesNotContain(value.Trim('\n', ' ', '\uFEFF'), await warned.Content.ReadAsStringAsync());
        Assert.False(await _app.WithDbAsync(db => db.Secrets.AnyAsync()));

        // The browser still holds the form as typed; ticking the box sends it again with the confirmation.
        await SecretsUi.ApplyOutOfBandAsync(page, warned);
        var confirmed = await session.SubmitAsync(form, new() { ["Input.ConfirmProduction"] = "true" }, htmx: true);

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var owner = await _app.WithDbAsync(db => db.Secrets.AsNoTracking().SingleAsync());
        // Stored exactly as posted, line break included.
        Assert.Equal(value, await ResolveAsync(owner.OrganizationId, "ODD_VALUE", SecretEnvironment.Production));
        _app.AssertNeverRevealed(value.Trim('\n', ' ', '\uFEFF'));
    }

    [Fact]
    public async Task Save_WarnedValue_IsRefusedInEveryEnvironmentUntilConfirmed_AndAPemKeyIsNotWarned()
    {
        var owner = await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        var secret = (await CreateAsync(Actor(owner), "TLS_KEY", new() { [SecretEnvironment.Development] = "dev-value-abcdef" })).Value!;
        const string pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n\tBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";

        var page = await SecretsUi.EditPageAsync(session, secret.Id);
        var warned = await session.SubmitAsync(page.Form("#secret-form"), new() { ["Input.Staging"] = "staging-value\u00A0x", ["Input.Production"] = pem }, htmx: true);

        var fragment = await TestSession.ParseAsync(warned);
        Assert.Contains("an unusual space (U+00A0) at character 14", fragment.QuerySelector("#Input_Staging-warning[hx-swap-oob]")!.TextContent);
        Assert.Equal("", fragment.QuerySelector("#Input_Production-warning[hx-swap-oob]")!.TextContent.Trim());
        Assert.Single(await VersionsAsync(secret.Id, SecretEnvironment.Development));
        Assert.Empty(await VersionsAsync(secret.Id, SecretEnvironment.Production));

        await SecretsUi.ApplyOutOfBandAsync(page, warned);
        var saved = await session.SubmitAsync(page.Form("#secret-form"), new() { ["Input.ConfirmStaging"] = "true" }, htmx: true);

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(pem, await ResolveAsync(owner.OrganizationId, "TLS_KEY", SecretEnvironment.Production));
        Assert.Equal("staging-value\u00A0x", await ResolveAsync(owner.OrganizationId, "TLS_KEY", SecretEnvironment.Staging));
    }

    [Fact]
    public async Task RotateKey_ReencryptsEveryVersion_RestoreStillWorks_AndVerifyReportsABrokenVersion()
    {
        var (owner, secret, _) = await SecretWithTwoVersionsAsync();
        var before = await VersionsAsync(secret.Id, SecretEnvironment.Production);
        Assert.All(before, v => Assert.Equal(1, v.KeyId));

        var (rotated, output) = await RunAsync("rotate-key");

        Assert.Equal(0, rotated);
        var after = await VersionsAsync(secret.Id, SecretEnvironment.Production);
        Assert.All(after, v => Assert.Equal(2, v.KeyId));
        Assert.Equal(before.Select(v => Convert.ToHexString(v.Fingerprint!)), after.Select(v => Convert.ToHexString(v.Fingerprint!)));
        Assert.All(before.Zip(after), pair => Assert.NotEqual(pair.First.Ciphertext, pair.Second.Ciphertext));
        Assert.DoesNotContain(First, output);

        Assert.True((await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s =>
            s.RestoreAsync(Actor(owner), secret.Id, SecretEnvironment.Production, 1, secret.Version))).IsOk);
        Assert.Equal(First, await ResolveAsync(owner.OrganizationId, "DB_PASSWORD", SecretEnvironment.Production));
        var (healthy, healthyOutput) = await RunAsync("verify");
        Assert.Equal(0, healthy);
        Assert.Contains("Acme / history: 3 version(s) decrypt", healthyOutput);

        // A version's ciphertext swapped for another's no longer decrypts where it is (the nonce does not match).
        await _app.WithDbAsync(db => db.SecretValueVersions.Where(v => v.SecretId == secret.Id && v.Number == 2)
            .ExecuteUpdateAsync(v => v.SetProperty(x => x.Nonce, after[0].Nonce)));
        var (broken, brokenOutput) = await RunAsync("verify");

        Assert.Equal(1, broken);
        Assert.Contains("History version 2 of the Production value of secret DB_PASSWORD: ", brokenOutput);
        Assert.Contains("1 FAILED", brokenOutput);
        Assert.DoesNotContain(Second, brokenOutput);
    }

    [Fact]
    public async Task RotateKey_ValuesWithoutFingerprint_GetTheirFingerprintAndTheGridFlag()
    {
        var owner = await _app.SetUpAsync();
        var secret = (await CreateAsync(Actor(owner), "LEGACY", new()
        {
            [SecretEnvironment.Staging] = "same-legacy-value-1", [SecretEnvironment.Production] = "same-legacy-value-1",
        })).Value!;
        var expected = await _app.WithDbAsync(db => db.SecretValues.AsNoTracking().Where(v => v.SecretId == secret.Id).Select(v => v.Fingerprint).FirstAsync());
        // As a value stored before fingerprints existed.
        await _app.WithDbAsync(db => db.SecretValues.ExecuteUpdateAsync(v => v.SetProperty(x => x.Fingerprint, (byte[]?)null)));
        await _app.WithDbAsync(db => db.SecretValueVersions.ExecuteUpdateAsync(v => v.SetProperty(x => x.Fingerprint, (byte[]?)null)));
        await _app.WithDbAsync(db => db.Secrets.ExecuteUpdateAsync(s => s.SetProperty(x => x.ProductionMatchesOther, false)));
        using var session = await _app.SignInAsync("owner@acme.test");
        var editor = await SecretsUi.EditPageAsync(session, secret.Id);
        Assert.Contains("none yet", editor.QuerySelector("[data-testid=fingerprint-Production]")!.TextContent);
        Assert.Null(editor.QuerySelector("[data-testid=same-values]"));

        var (rotated, _) = await RunAsync("rotate-key");

        Assert.Equal(0, rotated);
        var values = await _app.WithDbAsync(db => db.SecretValues.AsNoTracking().Where(v => v.SecretId == secret.Id).ToListAsync());
        Assert.All(values, v => Assert.Equal(expected, v.Fingerprint));
        Assert.All(await VersionsAsync(secret.Id, SecretEnvironment.Production), v => Assert.Equal(expected, v.Fingerprint));
        Assert.True(await ProdSharedAsync(session));
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string verb)
    {
        var output = new StringWriter();
        var code = verb == "verify"
            ? await VerifyCommand.RunAsync(_app.Services, output, output)
            : await RotateKeyCommand.RunAsync(_app.Services, new ZiggyCommand(verb, new Dictionary<string, string?>(), [], []), _app.DataFolder, output, output);
        return (code, output.ToString());
    }
}

[RequiresPostgres]
public sealed class ValueHistoryTestsOnPostgres() : ValueHistoryTests(new PostgresAppFactory());
