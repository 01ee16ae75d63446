using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Security;

public sealed class RaceAndTamperTests : IAsyncLifetime
{
    private readonly ZiggyAppFactory _app = new(settings: new() { ["Ziggy:Integrations:AllowPrivateNetworks"] = "true" });
    private ApplicationUser _owner = null!;
    private CurrentUser _actor = null!;

    public async Task InitializeAsync()
    {
        _owner = await _app.SetUpAsync();
        _actor = new CurrentUser(_owner.Id, _owner.OrganizationId, Role.SuperAdmin, "Olivia Owner");
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    private Task<Result<SavedSecret>> CreateAsync(CurrentUser actor, string name, Dictionary<SecretEnvironment, string> values) =>
        _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(actor, new SecretDraft(name, "", values)));

    /// <summary>Starts every attempt at the same moment, each in its own scope (its own DbContext), like separate requests.</summary>
    private static async Task<T[]> AllAtOnceAsync<T>(int count, Func<int, Task<T>> attempt)
    {
        var start = new TaskCompletionSource();
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await attempt(i);
        })).ToList();
        start.SetResult();
        return await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Create_FiftyAtOnceWithOneName_ExactlyOneSecret()
    {
        var results = await AllAtOnceAsync(50, i => CreateAsync(_actor, "STRIPE_API_KEY", new() { [SecretEnvironment.Development] = $"value-{i}-0123456789" }));

        Assert.Single(results, r => r.IsOk);
        Assert.All(results.Where(r => !r.IsOk), r => Assert.Equal(SecretRules.DuplicateNameMessage("STRIPE_API_KEY"), r.Errors.Single().Message));
        Assert.Equal(1, await _app.WithDbAsync(db => db.Secrets.CountAsync()));
        Assert.Equal(1, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.SecretCreated)));
    }

    [Fact]
    public async Task Save_FiftyAtOnceOfOneVersion_OneSuccessFortyNineConflictsNoLostUpdate()
    {
        var created = (await CreateAsync(_actor, "STRIPE_API_KEY", new() { [SecretEnvironment.Development] = "initial-value-0123" })).Value!;

        var results = await AllAtOnceAsync(50, i => _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s =>
            s.UpdateAsync(_actor, created.Id, new SecretChanges(created.Version, "STRIPE_API_KEY", $"writer {i}",
                new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Staging] = $"staging-from-{i}-abcdef" }))));

        var winner = Assert.Single(results, r => r.IsOk);
        Assert.Equal(49, results.Count(r => r.Outcome == Outcome.Conflict));
        var stored = await _app.WithDbAsync(db => db.Secrets.Include(s => s.Values).AsNoTracking().SingleAsync());
        // The stored secret is exactly the winner's save: description and value from the same writer.
        var writer = Array.IndexOf(results, winner);
        Assert.Equal($"writer {writer}", stored.Description);
        Assert.Equal(created.Version + 1, winner.Value!.Version);
        Assert.Equal(SecretMask.For($"staging-from-{writer}-abcdef"), stored.ValueFor(SecretEnvironment.Staging)!.Mask);
        Assert.Equal(created.Version + 1, stored.Version);
        Assert.Equal(1, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.SecretUpdated)));
    }

    [Fact]
    public async Task Save_WhenTheVersionCheckInTheStatementFindsNoRow_IsAConflictAndWritesNothing()
    {
        // The update's first statement only matches the version it loaded. Inside one transaction nobody can change it in
        // between, so this makes the row unmatched by hand: a trigger that skips every update of the secret's row.
        var created = (await CreateAsync(_actor, "STRIPE_API_KEY", new() { [SecretEnvironment.Development] = "initial-value-0123" })).Value!;
        var before = await _app.WithDbAsync(db => db.Secrets.Include(s => s.Values).AsNoTracking().SingleAsync());
        SqliteAdmin.Execute(_app.DatabasePath, "CREATE TRIGGER Test_SkipSecretUpdates BEFORE UPDATE ON Secrets BEGIN SELECT RAISE(IGNORE); END;");

        var result = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(_actor, created.Id,
            new SecretChanges(created.Version, "RENAMED", "changed", new Dictionary<SecretEnvironment, string>
            {
                [SecretEnvironment.Development] = "new-value-456789", [SecretEnvironment.Staging] = "staging-value-456789",
            })));

        Assert.Equal(Outcome.Conflict, result.Outcome);
        Assert.StartsWith("Someone else saved this secret at the same moment.", result.Errors.Single().Message);
        var after = await _app.WithDbAsync(db => db.Secrets.Include(s => s.Values).AsNoTracking().SingleAsync());
        Assert.Equal(("STRIPE_API_KEY", before.Version), (after.Name, after.Version));
        Assert.Equal(before.ValueFor(SecretEnvironment.Development)!.Ciphertext, after.ValueFor(SecretEnvironment.Development)!.Ciphertext);
        Assert.Null(after.ValueFor(SecretEnvironment.Staging));
        Assert.Equal(0, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.SecretUpdated)));
    }

    [Fact]
    public async Task DeleteAndSaveAtOnce_EndStateIsConsistent()
    {
        for (var round = 0; round < 10; round++)
        {
            var created = (await CreateAsync(_actor, $"RACE_{round}", new() { [SecretEnvironment.Development] = "value-0123456789" })).Value!;
            var delete = _app.WithServiceAsync<SecretService, Result<string>>(s => s.DeleteAsync(_actor, created.Id, "delete"));
            var save = _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(_actor, created.Id,
                new SecretChanges(created.Version, $"RACE_{round}", "saved", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Production] = "prod-value-123456" })));
            await Task.WhenAll(delete, save);
            var (deleted, saved) = (await delete, await save);

            Assert.True(deleted.IsOk);
            var left = await _app.WithDbAsync(db => db.Secrets.CountAsync(s => s.Id == created.Id));
            var trashed = await _app.WithDbAsync(db => db.Secrets.IgnoreQueryFilters().AsNoTracking().Include(s => s.Values).SingleAsync(s => s.Id == created.Id));
            Assert.Equal(0, left);
            Assert.NotNull(trashed.DeletedAt);
            // The save either happened first (then was trashed with its values) or found nothing: never a half state.
            Assert.True(saved.IsOk || saved.Outcome == Outcome.NotFound, $"{saved.Outcome}");
            Assert.Equal(saved.IsOk ? 2 : 1, trashed.Values.Count);
            Assert.Equal(saved.IsOk, trashed.Has(SecretEnvironment.Production));
        }
    }

    [Theory]
    [InlineData("secret")]
    [InlineData("environment")]
    [InlineData("organization")]
    public async Task Run_WithCiphertextSwappedInTheDatabase_FailsClearlyIsAuditedAndSendsNothing(string swap)
    {
        await using var stub = await StubServer.StartAsync();
        var globex = await _app.AddOrganizationAsync("Globex");
        var gina = await _app.AddUserAsync(globex, "gina@globex.test", Role.Admin, "Gina");
        var ginaActor = new CurrentUser(gina.Id, globex, Role.Admin, "Gina");
        var target = (await CreateAsync(_actor, "TARGET", new() { [SecretEnvironment.Development] = "target-dev-value", [SecretEnvironment.Staging] = "target-stg-value" })).Value!;
        var donor = swap == "organization"
            ? (await CreateAsync(ginaActor, "DONOR", new() { [SecretEnvironment.Development] = "donor-dev-value-1" })).Value!
            : (await CreateAsync(_actor, "DONOR", new() { [SecretEnvironment.Development] = "donor-dev-value-1" })).Value!;
        var (fromSecret, fromEnvironment) = swap == "environment" ? (target.Id, "Staging") : (donor.Id, "Development");
        await ExecuteSqlAsync(
            "UPDATE SecretValues SET Ciphertext = (SELECT Ciphertext FROM SecretValues WHERE SecretId = $from AND Environment = $fromEnv), " +
            "Nonce = (SELECT Nonce FROM SecretValues WHERE SecretId = $from AND Environment = $fromEnv) " +
            "WHERE SecretId = $target AND Environment = 'Development'",
            ("$from", SqliteAdmin.Text(fromSecret)), ("$fromEnv", fromEnvironment), ("$target", SqliteAdmin.Text(target.Id)));
        var integration = await _app.WithServiceAsync<IntegrationService, Result<IntegrationDetails>>(s =>
            s.SaveAsync(_actor, null, null, new IntegrationDraft("Uses target", "POST", stub.BaseUrl + "/echo", "", "{{secrets.TARGET}}")));

        var run = await _app.WithServiceAsync<IntegrationService, Result<RunOutcome>>(s => s.RunAsync(_actor, integration.Value!.Id, SecretEnvironment.Development));

        Assert.Equal("The stored Development value of secret TARGET cannot be decrypted: it was altered or moved from another secret, " +
                     "environment or organization. Nothing was sent.", run.Value!.Run.Summary.Error);
        Assert.Empty(stub.Received);
        var audited = await _app.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditAction.IntegrationRun));
        Assert.Contains("failed: The stored Development value of secret TARGET cannot be decrypted", audited.Details);
    }

    private Task ExecuteSqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        Assert.Equal(1, SqliteAdmin.Execute(_app.DatabasePath, sql, parameters));
        return Task.CompletedTask;
    }
}
