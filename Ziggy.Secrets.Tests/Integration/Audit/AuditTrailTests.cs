using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Tests.Integration.Audit;

public sealed class AuditTrailTests : IAsyncLifetime
{
    private const string Value = "AUDIT-CANARY-value-0123456789";
    private readonly ZiggyAppFactory _app = new(settings: new() { ["Ziggy:Integrations:AllowPrivateNetworks"] = "true" });
    private ApplicationUser _owner = null!;
    private TestSession _olivia = null!;

    public async Task InitializeAsync()
    {
        _owner = await _app.SetUpAsync();
        _olivia = await _app.SignInAsync("owner@acme.test");
    }

    public Task DisposeAsync()
    {
        _olivia.Dispose();
        _app.Dispose();
        return Task.CompletedTask;
    }

    private Task<List<AuditEvent>> EventsAsync() => _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());

    private Task<Guid> SecretIdAsync(string name) => _app.WithDbAsync(db => db.Secrets.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());

    [Fact]
    public async Task EveryChange_WritesOneEventWithWhoWhatAndNeverAValue()
    {
        var mia = await _app.AddUserAsync(_owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        await SecretsUi.CreateAsync(_olivia, "STRIPE_API_KEY", "", development: Value, production: Value + "-prd");
        var id = await SecretIdAsync("STRIPE_API_KEY");
        await SecretsUi.SaveAsync(_olivia, id, new() { ["Input.Staging"] = Value + "-stg", ["Input.Description"] = "new" });
        await SecretsUi.SaveAsync(_olivia, id, new() { ["Input.RemoveProduction"] = "true" });
        var editor = await SecretsUi.EditPageAsync(_olivia, id);
        await _olivia.SubmitAsync(editor.Form("form.transfer"), new() { ["newOwnerId"] = mia.Id.ToString() }, htmx: true);
        var team = await _olivia.GetPageAsync("/Team");
        await _olivia.SubmitAsync(team.Form("form.invite"), new() { ["Invite.Email"] = "new@acme.test", ["Invite.Role"] = "Member" });
        team = await _olivia.GetPageAsync("/Team");
        await _olivia.SubmitAsync(team.Form($"#member-{mia.Id} form[action*='handler=Role']"), new() { ["role"] = "Admin" }, htmx: true);
        team = await _olivia.GetPageAsync("/Team");
        await _olivia.SubmitAsync(team.Form($"#member-{mia.Id} form[action*='handler=Status']"), htmx: true);
        using (var wrong = _app.CreateSession())
        {
            var signIn = await wrong.GetPageAsync("/Account/SignIn");
            await wrong.SubmitAsync(signIn.Form(), new() { ["Input.Email"] = "owner@acme.test", ["Input.Password"] = "not the password" });
        }

        await SecretsUi.DeleteAsync(_olivia, id, "delete");

        var events = await EventsAsync();
        var actions = events.Select(e => e.Action).ToList();
        foreach (var expected in new[]
                 {
                     AuditAction.SetupCompleted, AuditAction.SignInSucceeded, AuditAction.SecretCreated, AuditAction.SecretUpdated,
                     AuditAction.SecretValueRemoved, AuditAction.OwnershipTransferred, AuditAction.InvitationCreated, AuditAction.RoleChanged,
                     AuditAction.MemberDeactivated, AuditAction.SignInFailed, AuditAction.SecretTrashed,
                 })
        {
            Assert.Contains(expected, actions);
        }

        var update = events.Single(e => e.Action == AuditAction.SecretUpdated);
        Assert.Equal(("Olivia Owner", _owner.Id, id, "STRIPE_API_KEY"), (update.ActorName, update.ActorId!.Value, update.SecretId!.Value, update.SecretName!));
        Assert.Equal("description changed; values set: Staging.", update.Details);
        Assert.Equal("Values removed: Production.", events.Single(e => e.Action == AuditAction.SecretValueRemoved).Details);
        Assert.Equal("Role changed from Member to Admin.", events.Single(e => e.Action == AuditAction.RoleChanged).Details);
        Assert.Equal("Wrong password.", events.Single(e => e.Action == AuditAction.SignInFailed).Details);
        Assert.All(events.Where(e => e.Action != AuditAction.SignInFailed || e.ActorId is not null), e => Assert.Equal(_owner.OrganizationId, e.OrganizationId));
        Assert.All(events, e => Assert.True(e.At > DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.DoesNotContain(events, e => $"{e.Details}{e.SecretName}{e.TargetName}{e.ActorName}".Contains("AUDIT-CANARY"));
        SqliteFileAssert.DoesNotContain(_app.DatabasePath, Value);
    }

    [Fact]
    public async Task AuditWriteFails_ChangeDoesNotHappen()
    {
        await SecretsUi.CreateAsync(_olivia, "STRIPE_API_KEY", "before", development: Value);
        var id = await SecretIdAsync("STRIPE_API_KEY");
        await ExecuteSqlAsync("CREATE TRIGGER AuditEvents_Broken BEFORE INSERT ON AuditEvents BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END;");

        var save = await SecretsUi.SaveAsync(_olivia, id, new() { ["Input.Description"] = "after", ["Input.Staging"] = "staging-value-123" });
        var create = await SecretsUi.CreateAsync(_olivia, "OTHER_KEY", "", development: "other-value-1234");

        Assert.True((int)save.StatusCode >= 500 && (int)create.StatusCode >= 500, $"{save.StatusCode} / {create.StatusCode}");
        var secret = await _app.WithDbAsync(db => db.Secrets.Include(s => s.Values).AsNoTracking().SingleAsync());
        Assert.Equal("before", secret.Description);
        Assert.Single(secret.Values);
        Assert.Equal(1, secret.Version);
    }

    [Fact]
    public async Task Migration_AuditPlainRowid_KeepsEveryEventAndTheTriggersAndIdsKeepRising()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ziggy-migration-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<Web.Data.ZiggyDbContext>().UseSqlite($"Data Source={path};Pooling=False").Options;
            await using (var db = new Web.Data.ZiggyDbContext(options))
                await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync("20261129070750_SecretsChangeStamp");
            foreach (var id in new[] { 1, 2, 5 })
                SqliteAdmin.Execute(path, "INSERT INTO AuditEvents (Id, At, ActorName, Action, Details) VALUES ($id, 0, 'Olivia', 'SignInSucceeded', $details)",
                    ("$id", id), ("$details", $"event {id}"));

            await using (var db = new Web.Data.ZiggyDbContext(options)) await db.Database.MigrateAsync();

            Assert.DoesNotContain("AUTOINCREMENT", SqliteAdmin.Scalar<string>(path, "SELECT sql FROM sqlite_master WHERE name = 'AuditEvents'"));
            Assert.Equal("1:event 1,2:event 2,5:event 5", SqliteAdmin.Scalar<string>(path, "SELECT group_concat(Id || ':' || Details, ',') FROM (SELECT * FROM AuditEvents ORDER BY Id)"));
            Assert.Equal(2L, SqliteAdmin.Scalar<long>(path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'AuditEvents'"));
            Assert.Contains("append-only", Assert.Throws<SqliteException>(() => SqliteAdmin.Execute(path, "UPDATE AuditEvents SET Details = 'forged'")).Message);
            Assert.Contains("append-only", Assert.Throws<SqliteException>(() => SqliteAdmin.Execute(path, "DELETE FROM AuditEvents WHERE Id = 5")).Message);
            SqliteAdmin.Execute(path, "INSERT INTO AuditEvents (At, ActorName, Action, Details) VALUES (0, 'Olivia', 'SignInSucceeded', 'next')");
            Assert.Equal(6L, SqliteAdmin.Scalar<long>(path, "SELECT Id FROM AuditEvents WHERE Details = 'next'"));
        }
        finally
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" }) File.Delete(file);
        }
    }

    [Fact]
    public async Task AuditEvents_CannotBeEditedOrDeleted()
    {
        Assert.NotEmpty(await EventsAsync());

        var update = await Assert.ThrowsAsync<SqliteException>(() => ExecuteSqlAsync("UPDATE AuditEvents SET Details = 'forged'"));
        var delete = await Assert.ThrowsAsync<SqliteException>(() => ExecuteSqlAsync("DELETE FROM AuditEvents"));

        Assert.Contains("append-only", update.Message);
        Assert.Contains("append-only", delete.Message);
        Assert.DoesNotContain(await EventsAsync(), e => e.Details == "forged");
    }

    [Fact]
    public async Task AuditPage_AdminSeesOwnOrganizationOnly_MemberGets404()
    {
        await SecretsUi.CreateAsync(_olivia, "STRIPE_API_KEY", "", development: Value);
        var globex = await _app.AddOrganizationAsync("Globex");
        await _app.AddUserAsync(globex, "gina@globex.test", Role.Admin, "Gina");
        await _app.AddUserAsync(_owner.OrganizationId, "mia@acme.test", Role.Member, "Mia");
        using var gina = await _app.SignInAsync("gina@globex.test");
        using var mia = await _app.SignInAsync("mia@acme.test");

        Assert.Equal(HttpStatusCode.OK, (await _olivia.GetAsync("/Audit")).StatusCode);
        var acme = await (await _olivia.GetAsync("/Audit?handler=Rows")).Content.ReadAsStringAsync();
        var globexRows = await (await gina.GetAsync("/Audit?handler=Rows")).Content.ReadAsStringAsync();

        Assert.Contains("Secret created", acme);
        Assert.Contains("STRIPE_API_KEY", acme);
        Assert.DoesNotContain("STRIPE_API_KEY", globexRows);
        Assert.DoesNotContain("Olivia", globexRows);
        Assert.Equal(HttpStatusCode.Forbidden, (await mia.GetAsync("/Audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mia.GetAsync("/Audit?handler=Rows")).StatusCode);
    }

    [Fact]
    public async Task SecretEditor_OwnerSeesHistory_OtherMemberDoesNot()
    {
        await _app.AddUserAsync(_owner.OrganizationId, "mia@acme.test", Role.Member, "Mia");
        await SecretsUi.CreateAsync(_olivia, "STRIPE_API_KEY", "", development: Value);
        var id = await SecretIdAsync("STRIPE_API_KEY");
        await SecretsUi.SaveAsync(_olivia, id, new() { ["Input.Staging"] = "staging-value-123" });
        using var mia = await _app.SignInAsync("mia@acme.test");

        // The editor carries no events: its Audit history section reads them when opened, from the address it names.
        var section = (await SecretsUi.EditPageAsync(_olivia, id)).QuerySelector("[data-testid=secret-history]")!;
        Assert.Empty(section.QuerySelectorAll("li"));
        Assert.Equal("toggle once", section.GetAttribute("hx-trigger"));
        var url = section.GetAttribute("hx-get")!;
        Assert.Equal($"/Secrets?id={id}&handler=AuditHistory", url);
        Assert.Equal(url, section.QuerySelector("a")!.GetAttribute("href"));

        foreach (var htmx in new[] { true, false })
        {
            var history = (await TestSession.ParseAsync(await _olivia.GetAsync(url, htmx))).QuerySelector("[data-testid=audit-history]")!.TextContent;
            Assert.Contains("Secret created", history);
            Assert.Contains("Secret updated", history);
            Assert.Contains("values set: Staging", history);
        }

        // A member who may not change the secret is offered no history, and asking for it is the answer to an unknown secret.
        Assert.Null((await SecretsUi.EditPageAsync(mia, id)).QuerySelector("[data-testid=secret-history]"));
        Assert.Equal(HttpStatusCode.NotFound, (await mia.GetAsync(url, htmx: true)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _olivia.GetAsync($"/Secrets?handler=AuditHistory&id={Guid.NewGuid()}", htmx: true)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _olivia.GetAsync("/Secrets?handler=AuditHistory&id=not-a-guid", htmx: true)).StatusCode);
    }

    [Fact]
    public async Task SecretAuditHistory_OfAnotherOrganizationsSecret_IsNotFoundForItsAdministrator()
    {
        await SecretsUi.CreateAsync(_olivia, "STRIPE_API_KEY", "", development: Value);
        var id = await SecretIdAsync("STRIPE_API_KEY");
        var globex = await _app.AddOrganizationAsync("Globex");
        await _app.AddUserAsync(globex, "gina@globex.test", Role.Admin, "Gina");
        using var gina = await _app.SignInAsync("gina@globex.test");

        var answer = await gina.GetAsync($"/Secrets?handler=AuditHistory&id={id}", htmx: true);

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.DoesNotContain("Secret created", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Events_FromARealConnection_RecordTheClientAddress()
    {
        using var served = new ZiggyAppFactory();
        using var session = await served.SignInOverTcpAsync();

        var signedIn = await served.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditAction.SignInSucceeded));
        Assert.Equal("127.0.0.1", signedIn.Ip);
    }

    private Task ExecuteSqlAsync(string sql) => Task.FromResult(SqliteAdmin.Execute(_app.DatabasePath, sql));
}
