using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

public class SecretsPageTests : IDisposable
{
    private static readonly string StripeKey = "sk_live_" + new string('Q', 95) + "RgA1";
    private readonly ZiggyAppFactory _app;

    public SecretsPageTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected SecretsPageTests(ZiggyAppFactory app) => _app = app;

    public void Dispose() => _app.Dispose();

    private long Decrypts => _app.Services.GetRequiredService<ISecretCipher>().DecryptCount;

    private Task<Secret> StoredAsync(string name) =>
        _app.WithDbAsync(db => db.Secrets.Include(s => s.Values).AsNoTracking().SingleAsync(s => s.Name == name));

    private async Task<(ApplicationUser Owner, TestSession Session)> OwnerAsync()
    {
        var owner = await _app.SetUpAsync();
        return (owner, await _app.SignInAsync("owner@acme.test"));
    }

    [Fact]
    public async Task Create_ThroughTheForm_StoresEncryptedValuesAndShowsMasksOnly()
    {
        var (_, session) = await OwnerAsync();
        var add = await session.GetPageAsync("/Secrets?handler=New");
        add.AssertEveryFieldLabelled();
        Assert.Equal("STRIPE_API_KEY", add.QuerySelector("#Input_Name")!.GetAttribute("placeholder"));
        Assert.Equal(["Development", "Staging", "Production"],
            add.QuerySelectorAll(".value-field > label[for]").Select(l => l.TextContent.Trim()));

        var response = await SecretsUi.CreateAsync(session, "stripe_api_key", "Live key", development: StripeKey, production: "prod-value-123456");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var stored = await StoredAsync("STRIPE_API_KEY");
        Assert.Equal("Live key", stored.Description);
        Assert.Equal([SecretEnvironment.Development, SecretEnvironment.Production], stored.Values.Select(v => v.Environment).Order());
        Assert.Equal("sk_live_***RgA1", stored.ValueFor(SecretEnvironment.Development)!.Mask);
        Assert.All(stored.Values, v => Assert.Equal(24, v.Nonce.Length));

        var editor = await SecretsUi.EditPageAsync(session, stored.Id);
        Assert.Equal(stored.Id.ToString(), editor.QuerySelector("[data-testid=secret-id]")!.GetAttribute("value"));
        Assert.True(editor.QuerySelector("[data-testid=secret-id]")!.HasAttribute("readonly"));
        Assert.Equal("sk_live_***RgA1", SecretsUi.MaskShown(editor, "Development"));
        Assert.Equal("not set", SecretsUi.MaskShown(editor, "Staging"));
        Assert.Equal("prod***56", SecretsUi.MaskShown(editor, "Production"));
        _app.AssertNeverRevealed(StripeKey);
        Assert.Equal(0, Decrypts);
    }

    [Fact]
    public async Task Create_ThroughHtmx_ReturnsEditorFragmentAndGridRowEvent()
    {
        var (_, session) = await OwnerAsync();

        var response = await SecretsUi.CreateAsync(session, "GITHUB_TOKEN", "CI token ✓ café", staging: "ghp_abcdefghijklmnop", htmx: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", html);
        Assert.Contains("data-testid=\"secret-editor\"", html);
        using var trigger = JsonDocument.Parse(response.Headers.GetValues("HX-Trigger").Single());
        var row = trigger.RootElement.GetProperty("secret-saved");
        Assert.Equal("GITHUB_TOKEN", row.GetProperty("name").GetString());
        Assert.Equal("CI token ✓ café", row.GetProperty("description").GetString());
        Assert.False(row.GetProperty("dev").GetBoolean());
        Assert.True(row.GetProperty("staging").GetBoolean());
        _app.AssertNeverRevealed("ghp_abcdefghijklmnop");
    }

    [Fact]
    public async Task Rows_HoldOnlyNamesOwnersAndBooleans()
    {
        var (_, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", "Live key", development: StripeKey);

        var response = await session.GetAsync("/Secrets?handler=Rows");
        var json = await response.Content.ReadAsStringAsync();

        using var rows = JsonDocument.Parse(json);
        var row = Assert.Single(rows.RootElement.EnumerateArray());
        Assert.Equal(["created", "description", "dev", "id", "name", "owner", "prod", "prodShared", "staging"], row.EnumerateObject().Select(p => p.Name).Order());
        Assert.True(row.GetProperty("dev").GetBoolean());
        Assert.False(row.GetProperty("prod").GetBoolean());
        Assert.Equal("Olivia Owner", row.GetProperty("owner").GetString());
        Assert.DoesNotContain("***", json);
        Assert.DoesNotContain("sk_live", json);
    }

    [Fact]
    public async Task Rows_ListEverySecretInNameOrder_WithItsFlagsOwnerAndCreationTime()
    {
        var (_, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "ZULU_TOKEN", "Last <b>\"quoted\"</b> & café", staging: "staging-value-1234");
        await SecretsUi.CreateAsync(session, "ALPHA_KEY", "", development: StripeKey, production: "prod-value-123456");
        await SecretsUi.CreateAsync(session, "MIKE_PASSWORD", "Middle", production: "prod-value-654321");
        // Production equal to Development: every Yes/No column set.
        await SecretsUi.CreateAsync(session, "BRAVO_TOKEN", "Shared", development: "same-value-987654", staging: "staging-value-4321", production: "same-value-987654");

        var response = await session.GetAsync("/Secrets?handler=Rows");

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var expected = await _app.WithDbAsync(db => db.Secrets.AsNoTracking().Include(s => s.Owner).OrderBy(s => s.Name).ToListAsync());
        var rows = expected.Select(s => new SecretRow(s.Id, s.Name, s.Description, s.HasDevelopment, s.HasStaging, s.HasProduction, s.Owner!.DisplayName, s.CreatedAt,
            s.ProductionMatchesOther));
        Assert.Equal(JsonSerializer.Serialize(rows, JsonSerializerOptions.Web), await response.Content.ReadAsStringAsync());
        Assert.Equal(["ALPHA_KEY", "BRAVO_TOKEN", "MIKE_PASSWORD", "ZULU_TOKEN"], expected.Select(s => s.Name));
        Assert.Equal([false, true, false, false], rows.Select(r => r.ProdShared));
        Assert.Equal([(true, false, true), (true, true, true), (false, false, true), (false, true, false)], rows.Select(r => (r.Dev, r.Staging, r.Prod)));
    }

    [Fact]
    public async Task Save_OneEnvironment_LeavesTheOthersByteForByte()
    {
        var (_, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", "", development: StripeKey, staging: "old-staging-value", production: "prod-value-123456");
        var before = await StoredAsync("STRIPE_API_KEY");

        var response = await SecretsUi.SaveAsync(session, before.Id, new() { ["Input.Staging"] = "new-staging-value-xyz" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var after = await StoredAsync("STRIPE_API_KEY");
        foreach (var environment in new[] { SecretEnvironment.Development, SecretEnvironment.Production })
        {
            Assert.Equal(before.ValueFor(environment)!.Ciphertext, after.ValueFor(environment)!.Ciphertext);
            Assert.Equal(before.ValueFor(environment)!.Nonce, after.ValueFor(environment)!.Nonce);
        }

        Assert.NotEqual(before.ValueFor(SecretEnvironment.Staging)!.Ciphertext, after.ValueFor(SecretEnvironment.Staging)!.Ciphertext);
        Assert.Equal("new-s***yz", after.ValueFor(SecretEnvironment.Staging)!.Mask);
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal(0, Decrypts);
    }

    /// <summary>The messages an htmx answer shows in the page's toast region (its ziggy-toast event).</summary>
    private static string[] Toasts(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("HX-Trigger", out var values)) return [];
        using var trigger = JsonDocument.Parse(values.Single());
        return trigger.RootElement.TryGetProperty("ziggy-toast", out var toast)
            ? [.. toast.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("message").GetString()!)]
            : [];
    }

    [Fact]
    public async Task Save_NothingChanged_WritesNothingAuditsNothingAndSaysNothingToSave()
    {
        var (_, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", "Live key", development: StripeKey);
        var before = await StoredAsync("STRIPE_API_KEY");
        var auditsBefore = await _app.WithDbAsync(db => db.AuditEvents.CountAsync());

        // The form as the browser sends it untouched: same name and description, no value typed, nothing removed.
        var response = await SecretsUi.SaveAsync(session, before.Id, []);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Nothing to save"], Toasts(response));
        Assert.Equal("none", response.Headers.GetValues("HX-Reswap").Single());
        Assert.DoesNotContain("secret-saved", response.Headers.GetValues("HX-Trigger").Single());
        var after = await StoredAsync("STRIPE_API_KEY");
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.UpdatedAt, after.UpdatedAt);
        Assert.Equal(before.ValueFor(SecretEnvironment.Development)!.Ciphertext, after.ValueFor(SecretEnvironment.Development)!.Ciphertext);
        Assert.Equal(auditsBefore, await _app.WithDbAsync(db => db.AuditEvents.CountAsync()));
        Assert.Equal(0, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Details.Contains("without changes"))));

        // The service says the same to any caller, and an empty value posted is no change either.
        var owner = await _app.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == "owner@acme.test"));
        var direct = await _app.WithServiceAsync<SecretService, Ziggy.Secrets.Web.Common.Result<SavedSecret>>(s => s.UpdateAsync(
            new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Owner"), before.Id,
            new SecretChanges(before.Version, "STRIPE_API_KEY", "Live key", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Staging] = "" }, [])));
        Assert.True(direct.IsOk && direct.Value!.NothingChanged);
        Assert.Equal(before.Version, (await StoredAsync("STRIPE_API_KEY")).Version);
        Assert.Equal(auditsBefore, await _app.WithDbAsync(db => db.AuditEvents.CountAsync()));

        // A real change still saves, bumps the version and says so.
        var changed = await SecretsUi.SaveAsync(session, before.Id, new() { ["Input.Description"] = "Live key (EU)" });
        Assert.Equal(["Secret STRIPE_API_KEY saved."], Toasts(changed));
        Assert.Equal(before.Version + 1, (await StoredAsync("STRIPE_API_KEY")).Version);
    }

    [Fact]
    public async Task Toasts_CreateRemoveDeleteAndRefusals_SayWhatHappenedByName()
    {
        var (_, session) = await OwnerAsync();
        var created = await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", development: StripeKey, production: "prod-value-123456", htmx: true);
        Assert.Equal(["Secret STRIPE_API_KEY created."], Toasts(created));
        var secret = await StoredAsync("STRIPE_API_KEY");

        var removed = await SecretsUi.SaveAsync(session, secret.Id, new() { ["Input.RemoveProduction"] = "true" });
        Assert.Equal(["Production value of STRIPE_API_KEY removed."], Toasts(removed));

        // A refused new secret: messages next to its own fields, and no slot for the transfer field it does not have.
        var refused = await SecretsUi.CreateAsync(session, "", htmx: true);
        var fragment = await TestSession.ParseAsync(refused);
        Assert.NotEmpty(fragment.QuerySelector("#Input_Name-error[hx-swap-oob]")!.TextContent.Trim());
        Assert.Null(fragment.QuerySelector("#NewOwnerId-error"));

        var deleted = await SecretsUi.DeleteAsync(session, secret.Id, "delete");
        Assert.Equal(["Secret STRIPE_API_KEY moved to the Trash."], Toasts(deleted));
        Assert.Equal("none", deleted.Headers.GetValues("HX-Reswap").Single());
        Assert.DoesNotContain(StripeKey, string.Join("", deleted.Headers.SelectMany(h => h.Value)));
    }

    [Fact]
    public async Task Toasts_OfPlainPostsNoPageEverShows_AreCappedSoTheCookieStaysSmall()
    {
        var (_, session) = await OwnerAsync();
        // A script creating secrets with plain form posts, never opening the page the redirects lead to.
        var form = (await session.GetPageAsync("/Secrets?handler=New")).Form("#secret-form");
        for (var i = 0; i < 40; i++)
        {
            var response = await session.SubmitAsync(form, new() { ["Input.Name"] = $"SCRIPTED_{i:D2}", ["Input.Development"] = $"value-{i:D2}-abcdef" }, htmx: false);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        var page = await session.GetPageAsync("/Secrets");
        var shown = page.QuerySelectorAll("#toasts .toast-text").Select(t => t.TextContent).ToList();
        Assert.Equal(Enumerable.Range(40 - Ziggy.Secrets.Web.Pages.Shared.Toasts.MaxWaiting, Ziggy.Secrets.Web.Pages.Shared.Toasts.MaxWaiting)
            .Select(i => $"Secret SCRIPTED_{i:D2} created."), shown);
        // Taken once: the next page shows none.
        Assert.Empty((await session.GetPageAsync("/Secrets")).QuerySelectorAll("#toasts .toast-text"));
    }

    [Fact]
    public async Task Save_RemoveValue_DeletesOnlyThatEnvironment()
    {
        var (_, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", "", development: StripeKey, production: "prod-value-123456");
        var secret = await StoredAsync("STRIPE_API_KEY");

        await SecretsUi.SaveAsync(session, secret.Id, new() { ["Input.RemoveProduction"] = "true" });

        var after = await StoredAsync("STRIPE_API_KEY");
        Assert.Null(after.ValueFor(SecretEnvironment.Production));
        Assert.NotNull(after.ValueFor(SecretEnvironment.Development));
        Assert.Equal("not set", SecretsUi.MaskShown(await SecretsUi.EditPageAsync(session, secret.Id), "Production"));
        using var rows = JsonDocument.Parse(await (await session.GetAsync("/Secrets?handler=Rows")).Content.ReadAsStringAsync());
        var row = Assert.Single(rows.RootElement.EnumerateArray());
        Assert.True(row.GetProperty("dev").GetBoolean());
        Assert.False(row.GetProperty("prod").GetBoolean());
    }

    [Fact]
    public async Task Save_EmptyValuePosted_LeavesTheStoredValueUntouched()
    {
        var (_, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", "", development: StripeKey, production: "prod-value-123456");
        var before = await StoredAsync("STRIPE_API_KEY");

        // A forged or scripted form that names every value field but leaves them empty: "unchanged", never "remove".
        var response = await SecretsUi.SaveAsync(session, before.Id,
            new() { ["Input.Development"] = "", ["Input.Staging"] = "", ["Input.Production"] = "" }, htmx: false);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var after = await StoredAsync("STRIPE_API_KEY");
        Assert.Equal(before.ValueFor(SecretEnvironment.Development)!.Ciphertext, after.ValueFor(SecretEnvironment.Development)!.Ciphertext);
        Assert.Equal(before.ValueFor(SecretEnvironment.Production)!.Ciphertext, after.ValueFor(SecretEnvironment.Production)!.Ciphertext);
        Assert.Null(after.ValueFor(SecretEnvironment.Staging));
        Assert.Equal(0, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.SecretValueRemoved)));
    }

    [Fact]
    public async Task Save_RenameDescribeAddAndChange_ReadsBackAsSavedWithItsAuditEvent()
    {
        // What a save stores must read back through EF Core's model exactly, on either database.
        var (owner, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "OLD_NAME", "old description", development: "dev-value-000000");
        var before = await StoredAsync("OLD_NAME");
        var rowsBefore = await (await session.GetAsync("/Secrets?handler=Rows")).Content.ReadAsStringAsync();
        _app.Clock.Advance(TimeSpan.FromMinutes(5));

        var response = await SecretsUi.SaveAsync(session, before.Id, new()
        {
            ["Input.Name"] = "new_name", ["Input.Description"] = "new description",
            ["Input.Development"] = "dev-value-111111", ["Input.Staging"] = "stg-value-222222",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = await StoredAsync("NEW_NAME");
        Assert.Equal(before.Id, after.Id);
        Assert.Equal("new description", after.Description);
        Assert.Equal((true, true, false), (after.HasDevelopment, after.HasStaging, after.HasProduction));
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal(owner.Id, after.UpdatedById);
        Assert.Equal(before.UpdatedAt.AddMinutes(5), after.UpdatedAt);
        Assert.Equal(before.CreatedAt, after.CreatedAt);
        var cipher = _app.Services.GetRequiredService<ISecretCipher>();
        foreach (var (environment, saved, mask) in new[] { (SecretEnvironment.Development, "dev-value-111111", "dev-***11"), (SecretEnvironment.Staging, "stg-value-222222", "stg-***22") })
        {
            var value = after.ValueFor(environment)!;
            Assert.Equal(mask, value.Mask);
            Assert.Equal(after.UpdatedAt, value.UpdatedAt);
            // Bound to this organization, secret and environment: it decrypts there, to what was saved.
            Assert.Equal(saved, cipher.Decrypt(value.ToEncrypted(), new ValuePlace(after.OrganizationId, after.Id, "NEW_NAME", environment)).Plaintext);
        }

        var updated = await _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == AuditAction.SecretUpdated));
        Assert.Equal((owner.OrganizationId, owner.Id, "Olivia Owner", after.Id, "NEW_NAME"),
            (updated.OrganizationId, updated.ActorId, updated.ActorName, updated.SecretId, updated.SecretName));
        Assert.Equal("renamed from OLD_NAME; description changed; values set: Development, Staging.", updated.Details);
        Assert.Equal(after.UpdatedAt, updated.At);
        var auditHistory = await TestSession.ParseAsync(await session.GetAsync($"/Secrets?handler=AuditHistory&id={after.Id}", htmx: true));
        Assert.Contains("renamed from OLD_NAME", auditHistory.QuerySelector("[data-testid=audit-history]")!.TextContent);
        var rowsAfter = await (await session.GetAsync("/Secrets?handler=Rows")).Content.ReadAsStringAsync();
        Assert.Contains("OLD_NAME", rowsBefore);
        Assert.Contains("NEW_NAME", rowsAfter);
        Assert.DoesNotContain("OLD_NAME", rowsAfter);
    }

    [Fact]
    public async Task Save_RenameToATakenName_SaysItExistsAndChangesNothing()
    {
        var (_, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", development: StripeKey);
        await SecretsUi.CreateAsync(session, "GITHUB_TOKEN", development: "ghp-value-123456");
        var before = await StoredAsync("GITHUB_TOKEN");

        var response = await SecretsUi.SaveAsync(session, before.Id, new() { ["Input.Name"] = "stripe_api_key", ["Input.Development"] = "ghp-value-999999" });

        Assert.Equal("A secret named STRIPE_API_KEY already exists in this organization.", await SecretsUi.OutOfBandErrorAsync(response, "Input_Name-error"));
        var after = await StoredAsync("GITHUB_TOKEN");
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.ValueFor(SecretEnvironment.Development)!.Ciphertext, after.ValueFor(SecretEnvironment.Development)!.Ciphertext);
        Assert.Equal(2, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.SecretCreated)));
        Assert.Equal(0, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.SecretUpdated)));
    }

    [Fact]
    public async Task Save_RemoveAndNewValueTogether_IsRefusedNextToTheField()
    {
        var (_, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", "", production: "prod-value-123456");
        var secret = await StoredAsync("STRIPE_API_KEY");

        var response = await SecretsUi.SaveAsync(session, secret.Id, new() { ["Input.RemoveProduction"] = "true", ["Input.Production"] = "another-value-9876" });

        Assert.Equal("Either enter a new Production value or remove it, not both.", await SecretsUi.OutOfBandErrorAsync(response, "Input_Production-error"));
        Assert.Equal(secret.Version, (await StoredAsync("STRIPE_API_KEY")).Version);
        _app.AssertNeverRevealed("another-value-9876");
    }

    [Fact]
    public async Task Save_StaleVersion_SaysWhoChangedItAndWhenAndLosesNothing()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        using var olivia = await _app.SignInAsync("owner@acme.test");
        using var adam = await _app.SignInAsync("adam@acme.test");
        await SecretsUi.CreateAsync(olivia, "STRIPE_API_KEY", "v1", development: StripeKey);
        var secret = await StoredAsync("STRIPE_API_KEY");
        var oliviasEditor = await SecretsUi.EditPageAsync(olivia, secret.Id);

        _app.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(HttpStatusCode.OK, (await SecretsUi.SaveAsync(adam, secret.Id, new() { ["Input.Description"] = "adam's", ["Input.Staging"] = "adams-staging-value" })).StatusCode);
        var afterAdam = await StoredAsync("STRIPE_API_KEY");

        var stale = await olivia.SubmitAsync(oliviasEditor.Form("#secret-form"), new() { ["Input.Description"] = "olivia's", ["Input.Staging"] = "olivias-staging-value" }, htmx: true);

        var alert = (await TestSession.ParseAsync(stale)).QuerySelector("#editor-alert")!.TextContent;
        Assert.Contains($"Adam Admin changed this secret at {afterAdam.UpdatedAt:yyyy-MM-dd HH:mm:ss} UTC", alert);
        Assert.Contains("Your changes were not saved", alert);
        Assert.Equal("none", stale.Headers.GetValues("HX-Reswap").Single());
        var final = await StoredAsync("STRIPE_API_KEY");
        Assert.Equal("adam's", final.Description);
        Assert.Equal(afterAdam.Version, final.Version);
        Assert.Equal(afterAdam.ValueFor(SecretEnvironment.Staging)!.Ciphertext, final.ValueFor(SecretEnvironment.Staging)!.Ciphertext);
        _app.AssertNeverRevealed("olivias-staging-value");
    }

    public static TheoryData<string, string, string, string> InvalidInputs => new()
    {
        { "Input.Name", "", "Input_Name-error", "Enter a name, for example STRIPE_API_KEY." },
        { "Input.Name", "9LIVES", "Input_Name-error", "Use capital letters, digits and underscores only, starting with a letter (for example STRIPE_API_KEY)." },
        { "Input.Name", "STRIPE-KEY", "Input_Name-error", "Use capital letters, digits and underscores only, starting with a letter (for example STRIPE_API_KEY)." },
        { "Input.Name", "A" + new string('B', 128), "Input_Name-error", "The name can be at most 128 characters (it has 129)." },
        { "Input.Description", new string('d', 1001), "Input_Description-error", "The description can be at most 1,000 characters (it has 1,001)." },
        { "Input.Development", new string('v', 65537), "Input_Development-error", "The Development value can be at most 64 KiB (it is 65,537 bytes)." },
        { "Input.Production", new string('é', 40000), "Input_Production-error", "The Production value can be at most 64 KiB (it is 80,000 bytes)." },
    };

    [Theory]
    [MemberData(nameof(InvalidInputs))]
    public async Task Create_InvalidInput_ErrorNextToFieldAndNothingSaved(string field, string value, string slot, string message)
    {
        var (_, session) = await OwnerAsync();
        var page = await session.GetPageAsync("/Secrets?handler=New");
        var values = new Dictionary<string, string> { ["Input.Name"] = "VALID_NAME", ["Input.Staging"] = "staging-value-1", [field] = value };

        var htmx = await session.SubmitAsync(page.Form("#secret-form"), values, htmx: true);
        Assert.Equal(message, await SecretsUi.OutOfBandErrorAsync(htmx, slot));

        // Without htmx the page comes back with the message next to the field.
        var plain = await session.SubmitAndFollowAsync((await session.GetPageAsync("/Secrets?handler=New")).Form("#secret-form"), values);
        Assert.Equal(message, plain.QuerySelector($"#{slot}")!.TextContent.Trim());
        Assert.Equal(0, await _app.WithDbAsync(db => db.Secrets.IgnoreQueryFilters().CountAsync()));
        Assert.Equal(0, await _app.WithDbAsync(db => db.SecretValues.CountAsync()));
    }

    [Fact]
    public async Task Create_DuplicateName_SaysItExistsNextToName()
    {
        var (_, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", development: StripeKey);

        var response = await SecretsUi.CreateAsync(session, "stripe_api_key", staging: "second-one-value", htmx: true);

        Assert.Equal("A secret named STRIPE_API_KEY already exists in this organization.", await SecretsUi.OutOfBandErrorAsync(response, "Input_Name-error"));
        Assert.Equal(1, await _app.WithDbAsync(db => db.Secrets.CountAsync()));
    }

    [Fact]
    public async Task Create_SameNameInAnotherOrganization_IsAllowed()
    {
        var (owner, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", development: StripeKey);
        var globex = await _app.AddOrganizationAsync("Globex");
        await _app.AddUserAsync(globex, "gina@globex.test", Role.Member, "Gina");
        using var gina = await _app.SignInAsync("gina@globex.test");

        Assert.Equal(HttpStatusCode.Redirect, (await SecretsUi.CreateAsync(gina, "STRIPE_API_KEY", development: "globex-key-123456")).StatusCode);
        Assert.Equal(2, await _app.WithDbAsync(db => db.Secrets.CountAsync()));
        Assert.NotEqual(Guid.Empty, owner.Id);
    }

    [Fact]
    public async Task Create_TwentyAtTheSameMoment_ExactlyOneWinsOthersGetTheDuplicateMessage()
    {
        var owner = await _app.SetUpAsync();
        var actor = new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia");
        var start = new TaskCompletionSource();
        var attempts = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await _app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s =>
                s.CreateAsync(actor, new SecretDraft("STRIPE_API_KEY", $"attempt {i}", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = $"value-{i}-abcdefgh" })));
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r.IsOk);
        Assert.All(results.Where(r => !r.IsOk), r => Assert.Equal(SecretRules.DuplicateNameMessage("STRIPE_API_KEY"), r.Errors.Single().Message));
        Assert.Equal(1, await _app.WithDbAsync(db => db.Secrets.CountAsync()));
        Assert.Equal(1, await _app.WithDbAsync(db => db.SecretValues.CountAsync()));
    }

    [Fact]
    public async Task Delete_WithoutExactConfirmation_IsRefusedAndKeepsTheSecret()
    {
        var (_, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", development: StripeKey);
        var secret = await StoredAsync("STRIPE_API_KEY");

        foreach (var confirm in new[] { null, "", "Delete", "DELETE", "delete ", "yes" })
        {
            var response = await SecretsUi.DeleteAsync(session, secret.Id, confirm);
            Assert.Equal(SecretService.ConfirmDeleteMessage, await SecretsUi.OutOfBandErrorAsync(response, "Confirm-error"));
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await SecretsUi.DeleteAsync(session, secret.Id, "nope", htmx: false)).StatusCode);
        Assert.Equal(1, await _app.WithDbAsync(db => db.Secrets.CountAsync()));
    }

    [Fact]
    public async Task Delete_WithConfirmation_MovesSecretToTheTrashAndTellsTheGrid()
    {
        var (_, session) = await OwnerAsync();
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", development: StripeKey, staging: "staging-value-x");
        var secret = await StoredAsync("STRIPE_API_KEY");
        var dialog = await session.GetAsync($"/Secrets?handler=Delete&id={secret.Id}", htmx: true);
        var dialogDocument = await TestSession.ParseAsync(dialog);
        dialogDocument.AssertEveryFieldLabelled();
        Assert.True(dialogDocument.QuerySelector("#delete-submit")!.HasAttribute("disabled"));

        var response = await SecretsUi.DeleteAsync(session, secret.Id, "delete");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(secret.Id.ToString(), response.Headers.GetValues("HX-Trigger").Single());
        Assert.Equal(0, await _app.WithDbAsync(db => db.Secrets.CountAsync()));
        // In the trash, with its values, until it is restored, deleted for good or purged (TrashTests).
        Assert.NotNull((await _app.WithDbAsync(db => db.Secrets.IgnoreQueryFilters().SingleAsync())).DeletedAt);
        Assert.Equal(2, await _app.WithDbAsync(db => db.SecretValues.CountAsync()));
    }

    [Fact]
    public async Task Transfer_AdminHandsSecretToAnotherMember_NewOwnerCanEdit()
    {
        var (owner, session) = await OwnerAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", development: StripeKey);
        var secret = await StoredAsync("STRIPE_API_KEY");
        var editor = await SecretsUi.EditPageAsync(session, secret.Id);

        var response = await session.SubmitAsync(editor.Form("form.transfer"), new() { ["newOwnerId"] = mia.Id.ToString() }, htmx: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mia.Id, (await StoredAsync("STRIPE_API_KEY")).OwnerId);
        using var miaSession = await _app.SignInAsync("mia@acme.test");
        Assert.Equal(HttpStatusCode.OK, (await SecretsUi.SaveAsync(miaSession, secret.Id, new() { ["Input.Staging"] = "mia-staging-value" })).StatusCode);
    }

    [Fact]
    public async Task Transfer_TheEditorLoadsItsMembersOnlyWhenOpened_AndOnlyForAdministrators()
    {
        var (owner, session) = await OwnerAsync();
        var mia = await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        var gone = await _app.AddUserAsync(owner.OrganizationId, "gone@acme.test", Role.Member, "Gone Member");
        await _app.WithDbAsync(db => db.Users.Where(u => u.Id == gone.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsActive, false)));
        var globex = await _app.AddOrganizationAsync("Globex");
        await _app.AddUserAsync(globex, "gina@globex.test", Role.Admin, "Gina Globex");
        using var miaSession = await _app.SignInAsync("mia@acme.test");
        await SecretsUi.CreateAsync(miaSession, "MIA_KEY", development: "mia-value-12345678");
        var secret = await StoredAsync("MIA_KEY");

        // The editor names only the current owner; opening the section asks for the rest.
        var editor = await SecretsUi.EditPageAsync(session, secret.Id);
        var section = editor.QuerySelector("[data-testid=transfer-section]")!;
        Assert.Equal(["Mia Member"], section.QuerySelectorAll("option").Select(o => o.TextContent.Trim()));
        var url = section.GetAttribute("hx-get")!;
        Assert.Contains("handler=Owners", url);
        var options = await TestSession.ParseAsync(await session.GetAsync(url, htmx: true));
        Assert.Equal(["Mia Member (mia@acme.test)", "Olivia Owner (owner@acme.test)"], options.QuerySelectorAll("option").Select(o => o.TextContent.Trim()));
        Assert.Equal(mia.Id.ToString(), options.QuerySelector("option[selected]")!.GetAttribute("value"));

        // Members are never offered it, whoever asks; another organization's Admin gets their own members only.
        Assert.Null((await SecretsUi.EditPageAsync(miaSession, secret.Id)).QuerySelector("[data-testid=transfer-section]"));
        Assert.Equal(HttpStatusCode.NotFound, (await miaSession.GetAsync(url, htmx: true)).StatusCode);
        using var gina = await _app.SignInAsync("gina@globex.test");
        var theirs = await TestSession.ParseAsync(await gina.GetAsync(url, htmx: true));
        Assert.Equal(["Gina Globex (gina@globex.test)"], theirs.QuerySelectorAll("option").Select(o => o.TextContent.Trim()));
        Assert.Null(theirs.QuerySelector("option[selected]"));
        foreach (var odd in new[] { "selected=not-a-guid", "selected=", "selected=%00", "" })
            Assert.Equal(HttpStatusCode.OK, (await session.GetAsync($"/Secrets?handler=Owners&{odd}", htmx: true)).StatusCode);
    }

    [Fact]
    public async Task Transfer_ToSomeoneOutsideTheOrganization_IsRefused()
    {
        var (owner, session) = await OwnerAsync();
        var globex = await _app.AddOrganizationAsync("Globex");
        var gina = await _app.AddUserAsync(globex, "gina@globex.test", Role.Member, "Gina");
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", development: StripeKey);
        var secret = await StoredAsync("STRIPE_API_KEY");
        var editor = await SecretsUi.EditPageAsync(session, secret.Id);

        var response = await session.SubmitAsync(editor.Form("form.transfer"), new() { ["newOwnerId"] = gina.Id.ToString() }, htmx: true);

        Assert.Equal(SecretService.ChooseOwnerMessage, await SecretsUi.OutOfBandErrorAsync(response, "NewOwnerId-error"));
        Assert.Equal(owner.Id, (await StoredAsync("STRIPE_API_KEY")).OwnerId);

        // Without htmx the page comes back with the transfer section open at its message (closed otherwise).
        Assert.False(editor.QuerySelector("[data-testid=transfer-section]")!.HasAttribute("open"));
        var plain = await TestSession.ParseAsync(await session.SubmitAsync(editor.Form("form.transfer"), new() { ["newOwnerId"] = gina.Id.ToString() }));
        Assert.True(plain.QuerySelector("[data-testid=transfer-section]")!.HasAttribute("open"));
        Assert.Equal(SecretService.ChooseOwnerMessage, plain.QuerySelector("#NewOwnerId-error")!.TextContent.Trim());
        Assert.Equal(owner.Id, (await StoredAsync("STRIPE_API_KEY")).OwnerId);
    }

    [Fact]
    public async Task Grid_TenThousandSecrets_RowsHandlerReturnsThemAll()
    {
        var owner = await _app.SetUpAsync();
        await _app.WithDbAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            db.Secrets.AddRange(Enumerable.Range(0, 10_000).Select(i => new Secret
            {
                Name = $"SECRET_{i:D5}", OrganizationId = owner.OrganizationId, OwnerId = owner.Id, CreatedById = owner.Id,
                UpdatedById = owner.Id, CreatedAt = now, UpdatedAt = now,
            }));
            return await db.SaveChangesAsync();
        });
        using var session = await _app.SignInAsync("owner@acme.test");

        var json = await (await session.GetAsync("/Secrets?handler=Rows")).Content.ReadAsStringAsync();

        using var rows = JsonDocument.Parse(json);
        Assert.Equal(10_000, rows.RootElement.GetArrayLength());
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class SecretsPageTestsOnPostgres() : SecretsPageTests(new PostgresAppFactory());
