using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>
/// On SQLite the resolver keeps stored values, and the grid its rows, in memory under the secrets change stamp. These
/// tests fill the caches with a first read, change the database in every way that matters (through the app, and past it
/// on another connection, as rotate-key or a hand-written UPDATE would), and check that the next read never answers
/// what was there before.
/// </summary>
public sealed class StampedCacheTests : IAsyncLifetime
{
    private readonly ZiggyAppFactory _app = new();
    private CurrentUser _olivia = null!;

    public async Task InitializeAsync()
    {
        var owner = await _app.SetUpAsync();
        _olivia = new CurrentUser(owner.Id, owner.OrganizationId, Role.SuperAdmin, "Olivia Owner");
        foreach (var name in new[] { "API_KEY", "TOKEN" })
            await CreateAsync(name, $"{name.ToLowerInvariant()}-production-value-1");
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    private StoredValueCache Cache => _app.Services.GetRequiredService<StoredValueCache>();

    private SecretRowsCache RowsCache => _app.Services.GetRequiredService<SecretRowsCache>();

    private SecretsChangeStamp Stamp => _app.Services.GetRequiredService<SecretsChangeStamp>();

    private Task<Result<SavedSecret>> CreateAsync(string name, string production) =>
        _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(_olivia,
            new SecretDraft(name, "", new Dictionary<SecretEnvironment, string> { [SecretEnvironment.Production] = production })));

    private Task<Result<IReadOnlyList<ResolvedValue>>> ResolveAsync(CurrentUser? user = null, params string[] names) =>
        _app.WithServiceAsync<SecretValueResolver, Result<IReadOnlyList<ResolvedValue>>>(r => r.ResolveAsync(_olivia.OrganizationId,
            names.Length > 0 ? names : ["API_KEY", "TOKEN"], SecretEnvironment.Production,
            async secret => await _app.Services.GetRequiredService<IAuthorizationService>().AllowsAsync(user ?? _olivia, secret, ResourceOperations.Update)));

    private static string ValueOf(Result<IReadOnlyList<ResolvedValue>> result, string name)
    {
        Assert.True(result.IsOk, string.Join(" ", result.Errors.Select(e => e.Message)));
        return result.Value!.Single(v => v.Name == name).Value;
    }

    private Task<List<SecretRow>> GridAsync() => _app.WithServiceAsync<SecretService, List<SecretRow>>(async s =>
    {
        var rows = new List<SecretRow>();
        await foreach (var row in s.ListAsync(_olivia)) rows.Add(row);
        return rows;
    });

    private long StoredStamp() => SqliteAdmin.Scalar<long>(_app.DatabasePath, "SELECT Stamp FROM SecretsChangeStamp");

    [Fact]
    public async Task Resolve_Repeated_IsAnsweredFromMemoryWithoutReadingTheDatabaseAgain()
    {
        Assert.Equal("api_key-production-value-1", ValueOf(await ResolveAsync(), "API_KEY"));
        var (misses, stampReads) = (Cache.Misses, Stamp.DatabaseReads);

        for (var i = 0; i < 5; i++) Assert.Equal("token-production-value-1", ValueOf(await ResolveAsync(), "TOKEN"));

        Assert.Equal(misses, Cache.Misses);
        // Nothing was committed in between, so the stamp was known unchanged from SQLite's shared memory.
        Assert.Equal(stampReads, Stamp.DatabaseReads);
    }

    [Fact]
    public async Task Resolve_AfterACommitThatTouchesNoSecret_ReadsTheStampOnceAndKeepsTheValues()
    {
        await ResolveAsync();
        var (misses, stampReads) = (Cache.Misses, Stamp.DatabaseReads);

        SqliteAdmin.Execute(_app.DatabasePath, "UPDATE Organizations SET Name = 'Acme Renamed'");
        Assert.Equal("api_key-production-value-1", ValueOf(await ResolveAsync(), "API_KEY"));

        Assert.Equal(stampReads + 1, Stamp.DatabaseReads);
        Assert.Equal(misses, Cache.Misses);
    }

    [Fact]
    public async Task Resolve_AfterASaveThroughTheApp_AnswersTheNewValue()
    {
        Assert.Equal("api_key-production-value-1", ValueOf(await ResolveAsync(), "API_KEY"));
        var id = await _app.WithDbAsync(db => Task.FromResult(db.Secrets.Single(s => s.Name == "API_KEY")));

        var saved = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(_olivia, id.Id,
            new SecretChanges(id.Version, "API_KEY", "", new Dictionary<SecretEnvironment, string?> { [SecretEnvironment.Production] = "api_key-production-value-2" })));

        Assert.True(saved.IsOk);
        Assert.Equal("api_key-production-value-2", ValueOf(await ResolveAsync(), "API_KEY"));
    }

    [Fact]
    public async Task Resolve_WhileOtherRunsResolveConcurrently_AlwaysAnswersTheValueSavedLast()
    {
        using var stop = new CancellationTokenSource();
        // Other runs keep reading (and filling the cache) while the value changes under them.
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) Assert.True((await ResolveAsync()).IsOk);
        })).ToList();

        for (var i = 2; i <= 30; i++)
        {
            var secret = await _app.WithDbAsync(db => Task.FromResult(db.Secrets.Single(s => s.Name == "API_KEY")));
            var saved = await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.UpdateAsync(_olivia, secret.Id,
                new SecretChanges(secret.Version, "API_KEY", "", new Dictionary<SecretEnvironment, string?> { [SecretEnvironment.Production] = $"api_key-production-value-{i}" })));
            Assert.True(saved.IsOk);

            Assert.Equal($"api_key-production-value-{i}", ValueOf(await ResolveAsync(), "API_KEY"));
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
    }

    [Fact]
    public async Task Resolve_AfterCiphertextSwappedOnAnotherConnection_FailsInsteadOfAnsweringTheOldValue()
    {
        Assert.True((await ResolveAsync()).IsOk);
        var ids = await _app.WithDbAsync(db => Task.FromResult(db.Secrets.ToDictionary(s => s.Name, s => s.Id)));

        // Past the app, as a tampering hand would: TOKEN's ciphertext now sits under API_KEY.
        Assert.Equal(1, SqliteAdmin.Execute(_app.DatabasePath,
            "UPDATE SecretValues SET Ciphertext = (SELECT Ciphertext FROM SecretValues WHERE SecretId = $from), " +
            "Nonce = (SELECT Nonce FROM SecretValues WHERE SecretId = $from) WHERE SecretId = $to",
            ("$from", SqliteAdmin.Text(ids["TOKEN"])), ("$to", SqliteAdmin.Text(ids["API_KEY"]))));
        var result = await ResolveAsync();

        Assert.False(result.IsOk);
        Assert.Equal("The stored Production value of secret API_KEY cannot be decrypted: it was altered or moved from another secret, " +
                     "environment or organization. Nothing was sent.", result.Errors.Single().Message);
    }

    [Fact]
    public async Task Resolve_AfterTheValueWasRemovedOnAnotherConnection_SaysItIsMissing()
    {
        Assert.True((await ResolveAsync()).IsOk);

        SqliteAdmin.Execute(_app.DatabasePath,
            "DELETE FROM SecretValues WHERE SecretId = (SELECT Id FROM Secrets WHERE Name = 'TOKEN')");
        var result = await ResolveAsync();

        Assert.Equal("No Production value for: TOKEN. Nothing was sent.", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task Resolve_AfterTheSecretWasRenamedOnAnotherConnection_CallsTheOldNameUnknown()
    {
        Assert.True((await ResolveAsync()).IsOk);

        SqliteAdmin.Execute(_app.DatabasePath, "UPDATE Secrets SET Name = 'TOKEN_OLD' WHERE Name = 'TOKEN'");
        var result = await ResolveAsync();

        Assert.Equal("Unknown secrets: TOKEN. Nothing was sent.", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task Resolve_AfterOwnershipMoved_JudgesTheNewOwner()
    {
        var mia = await _app.AddUserAsync(_olivia.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        var miaActor = new CurrentUser(mia.Id, mia.OrganizationId, Role.Member, "Mia Member");
        SqliteAdmin.Execute(_app.DatabasePath, "UPDATE Secrets SET OwnerId = $mia WHERE Name = 'TOKEN'", ("$mia", SqliteAdmin.Text(mia.Id)));
        Assert.Equal("token-production-value-1", ValueOf(await ResolveAsync(miaActor, "TOKEN"), "TOKEN"));

        // Back to Olivia, past the app: Mia's next run may no longer use it.
        SqliteAdmin.Execute(_app.DatabasePath, "UPDATE Secrets SET OwnerId = $olivia WHERE Name = 'TOKEN'", ("$olivia", SqliteAdmin.Text(_olivia.UserId)));
        var result = await ResolveAsync(miaActor, "TOKEN");

        Assert.StartsWith("This integration's owner may not use secret TOKEN", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task Grid_Repeated_IsAnsweredFromMemory()
    {
        var first = await GridAsync();
        var misses = RowsCache.Misses;

        var again = await GridAsync();

        Assert.Equal(["API_KEY", "TOKEN"], again.Select(r => r.Name));
        Assert.Equal(first, again);
        Assert.Equal(misses, RowsCache.Misses);
    }

    [Fact]
    public async Task Grid_AfterASecretIsAddedThroughTheApp_ListsIt()
    {
        await GridAsync();

        await CreateAsync("NEW_KEY", "new-production-value-1");

        Assert.Equal(["API_KEY", "NEW_KEY", "TOKEN"], (await GridAsync()).Select(r => r.Name));
    }

    [Fact]
    public async Task Grid_AfterChangesOnAnotherConnection_ShowsThem()
    {
        await GridAsync();

        SqliteAdmin.Execute(_app.DatabasePath, "UPDATE Secrets SET Description = 'changed elsewhere' WHERE Name = 'TOKEN'");
        Assert.Equal("changed elsewhere", (await GridAsync()).Single(r => r.Name == "TOKEN").Description);

        SqliteAdmin.Execute(_app.DatabasePath, "DELETE FROM Secrets WHERE Name = 'API_KEY'");
        Assert.Equal(["TOKEN"], (await GridAsync()).Select(r => r.Name));
    }

    [Fact]
    public async Task Grid_AfterTheOwnerIsRenamed_ShowsTheNewName()
    {
        Assert.All(await GridAsync(), r => Assert.Equal("Olivia Owner", r.Owner));

        SqliteAdmin.Execute(_app.DatabasePath, "UPDATE AspNetUsers SET DisplayName = 'Olivia Renamed'");

        Assert.All(await GridAsync(), r => Assert.Equal("Olivia Renamed", r.Owner));
    }

    [Theory]
    [InlineData("UPDATE AspNetUsers SET DisplayName = 'Olivia Renamed'")]
    [InlineData("INSERT INTO Secrets (Id, OrganizationId, Name, Description, OwnerId, CreatedAt, CreatedById, UpdatedAt, UpdatedById, Version, HasDevelopment, HasStaging, HasProduction) " +
                "SELECT 'A0000000-0000-0000-0000-000000000001', OrganizationId, 'HAND_MADE', '', OwnerId, CreatedAt, CreatedById, UpdatedAt, UpdatedById, 1, 0, 0, 0 FROM Secrets WHERE Name = 'TOKEN'")]
    [InlineData("UPDATE Secrets SET Description = 'changed' WHERE Name = 'TOKEN'")]
    [InlineData("DELETE FROM Secrets WHERE Name = 'TOKEN'")]
    [InlineData("INSERT INTO SecretValues (SecretId, Environment, KeyId, Nonce, Ciphertext, Mask, UpdatedAt) " +
                "SELECT SecretId, 'Staging', KeyId, Nonce, Ciphertext, Mask, UpdatedAt FROM SecretValues WHERE SecretId = (SELECT Id FROM Secrets WHERE Name = 'TOKEN')")]
    [InlineData("UPDATE SecretValues SET Mask = 'changed' WHERE SecretId = (SELECT Id FROM Secrets WHERE Name = 'TOKEN')")]
    [InlineData("DELETE FROM SecretValues WHERE SecretId = (SELECT Id FROM Secrets WHERE Name = 'TOKEN')")]
    public void AnyWriteToSecretsOrValues_ChangesTheStampInTheSameTransaction(string sql)
    {
        var before = StoredStamp();

        Assert.Equal(1, SqliteAdmin.Execute(_app.DatabasePath, sql));

        Assert.NotEqual(before, StoredStamp());
    }

    [Fact]
    public void AWriteElsewhere_LeavesTheStampAlone()
    {
        var before = StoredStamp();

        SqliteAdmin.Execute(_app.DatabasePath, "UPDATE Organizations SET Name = 'Acme Renamed'");

        Assert.Equal(before, StoredStamp());
    }
}
