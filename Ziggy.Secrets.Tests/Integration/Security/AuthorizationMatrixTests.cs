using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Security;

/// <summary>
/// Every state-changing endpoint × every kind of caller: what is allowed changes the database, what is refused leaves
/// it exactly as it was (a snapshot of secrets, values, integrations, runs, members, invitations and organizations).
/// </summary>
public sealed class AuthorizationMatrixTests
{
    public enum Caller { Anonymous, MemberOwner, MemberNonOwner, Admin, SuperAdmin, OtherOrganizationAdmin }

    // Endpoints in the order they are tried (an allowed one must not make a later one impossible).
    private static readonly string[] Endpoints =
    [
        "CreateSecret", "SaveSecret", "RestoreSecretValue", "CreateIntegrationUsingSecret", "SaveIntegration", "RunIntegration", "Invite", "InviteSuperAdmin",
        "SignOutEverywhere", "ChangeRole", "ResetTwoFactor", "Deactivate", "CreateResetLink", "RevokeResetLink", "CreateOrganization", "Setup", "TransferSecret",
        // Open invitations, each on an invitation of its own (a re-issued invitation is a new one).
        "ReissueInvitation", "RevokeInvitation", "ReissueSuperAdminInvitation", "RevokeSuperAdminInvitation",
        // The grid's bulk actions, on STRIPE_API_KEY and BULK_KEY (both Mo's).
        "BulkTransferSecrets", "BulkDeleteSecrets", "DeleteIntegration",
        // After the integration endpoints: another organization's import creates its own STRIPE_API_KEY.
        "ImportOverSecret", "DeleteSecret",
        // The trash: the secret DeleteSecret trashed (when the caller may), and one trashed before the test.
        "RestoreFromTrash", "DeletePermanently", "RestoreForgedId",
        // Last: from then on the caller must set up two-factor sign-in before anything else.
        "SetTwoFactorRequirement",
    ];

    private static readonly Dictionary<Caller, string[]> Allowed = new()
    {
        [Caller.Anonymous] = [],
        [Caller.MemberOwner] = ["CreateSecret", "SaveSecret", "RestoreSecretValue", "ImportOverSecret", "CreateIntegrationUsingSecret", "SaveIntegration", "RunIntegration", "BulkDeleteSecrets", "DeleteIntegration", "DeleteSecret", "RestoreFromTrash", "DeletePermanently"],
        [Caller.MemberNonOwner] = ["CreateSecret", "RunIntegration"],
        [Caller.Admin] = ["CreateSecret", "SaveSecret", "RestoreSecretValue", "ImportOverSecret", "CreateIntegrationUsingSecret", "SaveIntegration", "RunIntegration", "Invite", "SignOutEverywhere", "ChangeRole", "ResetTwoFactor", "Deactivate", "CreateResetLink", "RevokeResetLink", "ReissueInvitation", "RevokeInvitation", "TransferSecret", "BulkTransferSecrets", "BulkDeleteSecrets", "DeleteIntegration", "DeleteSecret", "RestoreFromTrash", "DeletePermanently", "SetTwoFactorRequirement"],
        // Only a SuperAdmin may invite a SuperAdmin: never a role above your own.
        [Caller.SuperAdmin] = ["CreateSecret", "SaveSecret", "RestoreSecretValue", "ImportOverSecret", "CreateIntegrationUsingSecret", "SaveIntegration", "RunIntegration", "Invite", "InviteSuperAdmin", "SignOutEverywhere", "ChangeRole", "ResetTwoFactor", "Deactivate", "CreateResetLink", "RevokeResetLink", "CreateOrganization", "ReissueInvitation", "RevokeInvitation", "ReissueSuperAdminInvitation", "RevokeSuperAdminInvitation", "TransferSecret", "BulkTransferSecrets", "BulkDeleteSecrets", "DeleteIntegration", "DeleteSecret", "RestoreFromTrash", "DeletePermanently", "SetTwoFactorRequirement"],
        // Creating in its own organization (and deciding its two-factor requirement) is allowed; nothing of the other
        // organization can be touched, and a template naming the other organization's secret is refused (no such secret
        // exists in its own).
        // Its import of STRIPE_API_KEY creates a secret of that name in its own organization.
        [Caller.OtherOrganizationAdmin] = ["CreateSecret", "ImportOverSecret", "Invite", "SetTwoFactorRequirement"],
    };

    private const string ImportText = "STRIPE_API_KEY=sk_live_matrix_imported_3";

    public static TheoryData<Caller, string> Callers(string database)
    {
        var data = new TheoryData<Caller, string>();
        foreach (var caller in Enum.GetValues<Caller>()) data.Add(caller, database);
        return data;
    }

    [Theory]
    [MemberData(nameof(Callers), "Sqlite")]
    [PostgresMemberData(nameof(Callers), "Postgres")]
    public async Task EveryStateChangingEndpoint_AllowedChangesRefusedLeavesTheDatabaseUnchanged(Caller caller, string database)
    {
        await using var stub = await StubServer.StartAsync();
        using var app = database == "Postgres"
            ? new PostgresAppFactory()
            : new ZiggyAppFactory(settings: new() { ["Ziggy:Integrations:AllowPrivateNetworks"] = "true" });
        var superAdmin = await app.SetUpAsync("sa@acme.test");
        var org = superAdmin.OrganizationId;
        var memberOwner = await app.AddUserAsync(org, "mo@acme.test", Role.Member, "Mo Owner");
        var nonOwner = await app.AddUserAsync(org, "mn@acme.test", Role.Member, "Nina NonOwner");
        await app.AddUserAsync(org, "ad@acme.test", Role.Admin, "Adam Admin");
        var target = await app.AddUserAsync(org, "x@acme.test", Role.Member, "Xavier Target");
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == target.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.TwoFactorEnabled, true)));
        var other = await app.AddOrganizationAsync("Globex");
        await app.AddUserAsync(other, "oa@globex.test", Role.Admin, "Olga OtherAdmin");
        var owner = new CurrentUser(memberOwner.Id, org, Role.Member, "Mo Owner");
        var secret = (await app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.CreateAsync(owner,
            new SecretDraft("STRIPE_API_KEY", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = "sk_live_matrix_value_1" })))).Value!;
        // A second value, so that version 1 can be restored.
        secret = (await app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.UpdateAsync(owner, secret.Id,
            new SecretChanges(secret.Version, "STRIPE_API_KEY", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = "sk_live_matrix_value_2" })))).Value!;
        var bulk = (await app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.CreateAsync(owner,
            new SecretDraft("BULK_KEY", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = "bulk_matrix_value_1" })))).Value!;
        var trashed = (await app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.CreateAsync(owner,
            new SecretDraft("OLD_KEY", "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = "old_matrix_value_1" })))).Value!;
        Assert.True((await app.WithServiceAsync<SecretService, Web.Common.Result<string>>(s => s.DeleteAsync(owner, trashed.Id, "delete"))).IsOk);
        var integration = (await app.WithServiceAsync<IntegrationService, Web.Common.Result<IntegrationDetails>>(s => s.SaveAsync(owner, null, null,
            new IntegrationDraft("Charge", "POST", stub.BaseUrl + "/echo", "Authorization: Bearer {{secrets.STRIPE_API_KEY}}", "")))).Value!;
        // An open reset link for the target, for "RevokeResetLink" to find.
        Assert.True((await app.WithServiceAsync<PasswordResetService, Web.Common.Result<CreatedResetLink>>(s =>
            s.CreateAsync(CurrentUser.Of(superAdmin), target.Id))).IsOk);

        var invitations = new Dictionary<string, Guid>();
        foreach (var (invited, role) in new[] { ("reissue@acme.test", Role.Member), ("revoke@acme.test", Role.Member), ("boss-reissue@acme.test", Role.SuperAdmin), ("boss-revoke@acme.test", Role.SuperAdmin) })
        {
            Assert.True((await app.WithServiceAsync<TeamService, Web.Common.Result<CreatedInvitation>>(s => s.InviteAsync(CurrentUser.Of(superAdmin), invited, role))).IsOk);
            invitations[invited] = await app.WithDbAsync(db => db.Invitations.Where(i => i.Email == invited).Select(i => i.Id).SingleAsync());
        }

        var email = caller switch
        {
            Caller.MemberOwner => "mo@acme.test", Caller.MemberNonOwner => "mn@acme.test", Caller.Admin => "ad@acme.test",
            Caller.SuperAdmin => "sa@acme.test", Caller.OtherOrganizationAdmin => "oa@globex.test", _ => null,
        };
        // The target has a session of their own, for the endpoints that end sessions.
        using var targetSession = await app.SignInAsync("x@acme.test");
        using var session = email is null ? app.CreateSession() : await app.SignInAsync(email);
        var tokenPage = await session.GetPageAsync(email is null ? "/Account/SignIn" : "/Secrets");
        var token = tokenPage.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        var requests = new Dictionary<string, (string Url, Dictionary<string, string> Fields)>
        {
            ["CreateSecret"] = ("/Secrets?handler=Create", new() { ["Input.Name"] = "NEW_SECRET", ["Input.Development"] = "new-value-123456" }),
            ["SaveSecret"] = ($"/Secrets?handler=Save&id={secret.Id}", new() { ["Input.Name"] = "STRIPE_API_KEY", ["Input.Description"] = "changed", ["Input.Version"] = "VERSION" }),
            ["RestoreSecretValue"] = ($"/Secrets?handler=Restore&id={secret.Id}&environment=Development&number=1", new() { ["Input.Version"] = "VERSION" }),
            ["CreateIntegrationUsingSecret"] = ("/Integrations/Edit?handler=Save", new() { ["Input.Name"] = "Mine", ["Input.Method"] = "GET", ["Input.Url"] = stub.BaseUrl + "/echo?k={{secrets.STRIPE_API_KEY}}" }),
            ["SaveIntegration"] = ($"/Integrations/Edit?handler=Save&id={integration.Id}", new() { ["Input.Name"] = "Charge", ["Input.Method"] = "PUT", ["Input.Url"] = stub.BaseUrl + "/echo", ["Input.Version"] = "1" }),
            ["RunIntegration"] = ($"/Integrations/Edit?handler=Run&id={integration.Id}", new() { ["environment"] = "Development" }),
            ["Invite"] = ("/Team?handler=Invite", new() { ["Invite.Email"] = "invited@acme.test", ["Invite.Role"] = "Member" }),
            ["InviteSuperAdmin"] = ("/Team?handler=Invite", new() { ["Invite.Email"] = "boss@acme.test", ["Invite.Role"] = "SuperAdmin" }),
            ["SignOutEverywhere"] = ($"/Team?handler=SignOutEverywhere&id={target.Id}", new()),
            ["ChangeRole"] = ($"/Team?handler=Role&id={target.Id}", new() { ["role"] = "Admin" }),
            ["Deactivate"] = ($"/Team?handler=Status&id={target.Id}", new() { ["active"] = "false" }),
            ["ResetTwoFactor"] = ($"/Team?handler=TwoFactorReset&id={target.Id}", new()),
            ["SetTwoFactorRequirement"] = ("/Team?handler=TwoFactorRequirement", new() { ["requirement"] = "Everyone" }),
            ["CreateResetLink"] = ($"/Team?handler=Reset&id={target.Id}", new()),
            ["RevokeResetLink"] = ($"/Team?handler=RevokeReset&id={target.Id}", new()),
            ["ReissueInvitation"] = ($"/Team?handler=ReissueInvitation&id={invitations["reissue@acme.test"]}", new()),
            ["RevokeInvitation"] = ($"/Team?handler=RevokeInvitation&id={invitations["revoke@acme.test"]}", new()),
            ["ReissueSuperAdminInvitation"] = ($"/Team?handler=ReissueInvitation&id={invitations["boss-reissue@acme.test"]}", new()),
            ["RevokeSuperAdminInvitation"] = ($"/Team?handler=RevokeInvitation&id={invitations["boss-revoke@acme.test"]}", new()),
            ["CreateOrganization"] = ("/Organizations", new() { ["Input.Name"] = "Initech", ["Input.AdminEmail"] = "boss@initech.test" }),
            ["Setup"] = ("/Setup", new() { ["Input.OrganizationName"] = "Evil", ["Input.DisplayName"] = "E", ["Input.Email"] = "e@evil.test", ["Input.Password"] = "evil password 123", ["Input.ConfirmPassword"] = "evil password 123" }),
            ["TransferSecret"] = ($"/Secrets?handler=Transfer&id={secret.Id}", new() { ["newOwnerId"] = nonOwner.Id.ToString(), ["Input.Version"] = "VERSION" }),
            ["BulkTransferSecrets"] = ("/Secrets?handler=BulkTransfer", new() { ["ids"] = $"{secret.Id},{bulk.Id}", ["newOwnerId"] = nonOwner.Id.ToString() }),
            ["BulkDeleteSecrets"] = ("/Secrets?handler=BulkDelete", new() { ["ids"] = bulk.Id.ToString(), ["confirm"] = "delete" }),
            ["DeleteIntegration"] = ($"/Integrations/Edit?handler=Delete&id={integration.Id}", new()),
            ["DeleteSecret"] = ($"/Secrets?handler=Delete&id={secret.Id}", new() { ["confirm"] = "delete" }),
            // The import's Apply, with the token of the caller's own Preview of the same text.
            ["ImportOverSecret"] = ("/Secrets/Import?handler=Apply", new()
            {
                ["Input.Text"] = ImportText, ["Input.Environment"] = "Development", ["Input.Format"] = "Auto", ["Input.Selected"] = "STRIPE_API_KEY", ["Input.Token"] = "PREVIEW",
            }),
            ["RestoreFromTrash"] = ($"/Secrets/Trash?handler=Restore&id={secret.Id}", new()),
            ["DeletePermanently"] = ($"/Secrets/Trash?handler=Delete&id={trashed.Id}", new() { ["confirm"] = "delete" }),
            // A live secret's id or one that does not exist: nothing to restore for anyone.
            ["RestoreForgedId"] = ($"/Secrets/Trash?handler=Restore&id={(caller == Caller.SuperAdmin ? Guid.NewGuid() : secret.Id)}", new() { ["newName"] = "FORGED" }),
        };

        // The value history: everyone of the organization reads it; only those who may change the secret are offered Restore.
        var history = await session.GetAsync($"/Secrets?handler=History&id={secret.Id}&environment=Development", htmx: true);
        var historyHtml = await history.Content.ReadAsStringAsync();
        Assert.True((int)history.StatusCode < 500, $"{caller} History: {(int)history.StatusCode}");
        Assert.Equal(caller is not (Caller.Anonymous or Caller.OtherOrganizationAdmin), historyHtml.Contains("data-testid=\"version-Development-1\""));
        Assert.Equal(Allowed[caller].Contains("RestoreSecretValue"), historyHtml.Contains("data-testid=\"restore-Development-1\""));

        // The secret's audit history: only for those who may change it; the same 404 as an unknown secret for everyone else.
        var audit = await session.GetAsync($"/Secrets?handler=AuditHistory&id={secret.Id}", htmx: true);
        var auditHtml = await audit.Content.ReadAsStringAsync();
        Assert.Equal(Allowed[caller].Contains("SaveSecret"), auditHtml.Contains("data-testid=\"audit-history"));
        if (caller != Caller.Anonymous)
            Assert.Equal(Allowed[caller].Contains("SaveSecret") ? HttpStatusCode.OK : HttpStatusCode.NotFound, audit.StatusCode);

        var outcomes = new List<string>();
        foreach (var endpoint in Endpoints)
        {
            var (url, fields) = requests[endpoint];
            fields = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
            if (fields.GetValueOrDefault("Input.Version") == "VERSION")
                fields["Input.Version"] = (await app.WithDbAsync(db => db.Secrets.Where(s => s.Id == secret.Id).Select(s => s.Version).SingleOrDefaultAsync())).ToString();

            if (fields.GetValueOrDefault("Input.Token") == "PREVIEW")
            {
                var preview = await session.PostFormAsync("/Secrets/Import?handler=Preview", new()
                {
                    ["Input.Text"] = ImportText, ["Input.Environment"] = "Development", ["Input.Format"] = "Auto", ["__RequestVerificationToken"] = token,
                }, htmx: true);
                var previewHtml = await preview.Content.ReadAsStringAsync();
                fields["Input.Token"] = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(previewHtml)
                    .QuerySelector<IHtmlInputElement>("input[name='Input.Token']")?.Value ?? "";
            }

            var before = await SnapshotAsync(app);
            var response = await session.PostFormAsync(url, fields);
            var after = await SnapshotAsync(app);

            Assert.True((int)response.StatusCode < 500, $"{caller} {endpoint}: {(int)response.StatusCode}");
            var changed = before != after;
            var expected = Allowed[caller].Contains(endpoint);
            outcomes.Add($"{endpoint}: {(changed ? "changed" : "unchanged")} ({(int)response.StatusCode})");
            Assert.True(expected == changed,
                $"{caller} {endpoint}: expected {(expected ? "a change" : "no change")}, got {(changed ? "a change" : "none")} " +
                $"({(int)response.StatusCode}).\n{string.Join("\n", outcomes)}");
        }
    }

    /// <summary>
    /// An integration runs with its owner's rights as stored at run time: an Admin's integration may use any secret of
    /// the organization until the Admin is deactivated; from then on the owner acts as a Member, whoever presses Run.
    /// </summary>
    [Fact]
    public async Task RunIntegration_OwnerDeactivated_OwnerActsAsMember()
    {
        await using var stub = await StubServer.StartAsync();
        using var app = new ZiggyAppFactory(settings: new() { ["Ziggy:Integrations:AllowPrivateNetworks"] = "true" });
        var superAdmin = await app.SetUpAsync("sa@acme.test");
        var org = superAdmin.OrganizationId;
        var admin = await app.AddUserAsync(org, "ad@acme.test", Role.Admin, "Adam Admin");
        var mo = await app.AddUserAsync(org, "mo@acme.test", Role.Member, "Mo Owner");
        var adminActor = new CurrentUser(admin.Id, org, Role.Admin, "Adam Admin");
        async Task CreateSecretAsync(CurrentUser owner, string name) =>
            Assert.True((await app.WithServiceAsync<SecretService, Web.Common.Result<SavedSecret>>(s => s.CreateAsync(owner,
                new SecretDraft(name, "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Development] = name.ToLowerInvariant() + "-value-1" })))).IsOk);
        async Task<Guid> CreateIntegrationAsync(string name, string secret) =>
            (await app.WithServiceAsync<IntegrationService, Web.Common.Result<IntegrationDetails>>(s => s.SaveAsync(adminActor, null, null,
                new IntegrationDraft(name, "GET", stub.BaseUrl + "/echo?k={{secrets." + secret + "}}", "", "")))).Value!.Id;
        await CreateSecretAsync(new CurrentUser(mo.Id, org, Role.Member, "Mo Owner"), "MO_KEY");
        await CreateSecretAsync(adminActor, "ADAM_KEY");
        var usesMosSecret = await CreateIntegrationAsync("Uses Mo's key", "MO_KEY");
        var usesOwnSecret = await CreateIntegrationAsync("Uses Adam's key", "ADAM_KEY");
        using var session = await app.SignInAsync("sa@acme.test");

        async Task<string> RunAsync(Guid id)
        {
            var page = await session.GetPageAsync($"/Integrations/Edit?id={id}");
            var response = await session.SubmitAsync(page.Form("form.run-form"), new() { ["environment"] = "Development" }, htmx: true);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await TestSession.ParseAsync(response)).QuerySelector("[data-testid=run-result]")!.TextContent;
        }

        Assert.Contains("HTTP 200", await RunAsync(usesMosSecret));
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == admin.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsActive, false)));
        var received = stub.Received.Count;

        Assert.Contains("who may not change MO_KEY. Nothing was sent.", await RunAsync(usesMosSecret));
        Assert.Equal(received, stub.Received.Count);
        Assert.Contains("HTTP 200", await RunAsync(usesOwnSecret));
    }

    /// <summary>Everything a state-changing endpoint could touch (sessions included), except the audit trail (sign-ins write to it).</summary>
    private static Task<string> SnapshotAsync(ZiggyAppFactory app) => app.WithDbAsync(async db =>
    {
        var secrets = await db.Secrets.IgnoreQueryFilters().AsNoTracking().Include(s => s.Values).OrderBy(s => s.Id).ToListAsync();
        var integrations = await db.Integrations.AsNoTracking().OrderBy(i => i.Id).ToListAsync();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Id).Select(u => new { u.Id, u.Role, u.IsActive, u.OrganizationId, u.TwoFactorEnabled }).ToListAsync();
        var organizations = await db.Organizations.AsNoTracking().OrderBy(o => o.Id).Select(o => new { o.Id, o.TwoFactorRequirement }).ToListAsync();
        return string.Join("\n",
            string.Join("|", secrets.Select(s => $"{s.Id}:{s.Name}:{s.Description}:{s.OwnerId}:{s.Version}:{s.DeletedAt}:" +
                string.Join(",", s.Values.OrderBy(v => v.Environment).Select(v => Convert.ToHexString(v.Ciphertext))))),
            string.Join("|", integrations.Select(i => $"{i.Id}:{i.Name}:{i.Method}:{i.Url}:{i.Headers}:{i.Version}")),
            await db.IntegrationRuns.CountAsync(),
            await db.SecretValueVersions.CountAsync(),
            string.Join("|", users.Select(u => $"{u.Id}:{u.Role}:{u.IsActive}:{u.OrganizationId}:{u.TwoFactorEnabled}")),
            string.Join("|", await db.Invitations.OrderBy(i => i.Id).Select(i => i.Id + ":" + i.TokenHash).ToListAsync()),
            string.Join("|", organizations.Select(o => $"{o.Id}:{o.TwoFactorRequirement}")),
            string.Join("|", await db.UserSessions.OrderBy(s => s.Id).Select(s => s.Id).ToListAsync()),
            string.Join("|", (await db.PasswordResetLinks.AsNoTracking().OrderBy(l => l.CreatedAt).ThenBy(l => l.Id).ToListAsync())
                .Select(l => $"{l.UserId}:{l.UsedAt}:{l.RevokedAt}")));
    });
}
