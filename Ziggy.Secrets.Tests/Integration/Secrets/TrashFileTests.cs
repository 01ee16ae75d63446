using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>
/// SQLite only: a secret deleted for good leaves no ciphertext in the database file or its WAL (on PostgreSQL the rows
/// are dead tuples until VACUUM: see Data/SecureDelete.cs), and the queries that skip the trash or prune the history
/// read their indexes.
/// </summary>
public sealed class TrashFileTests : IDisposable
{
    private readonly ZiggyAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private async Task<(CurrentUser Owner, Guid Id, List<byte[]> Ciphertexts)> TrashedSecretAsync(string name)
    {
        var user = await _app.SetUpAsync();
        var owner = new CurrentUser(user.Id, user.OrganizationId, user.Role, user.DisplayName);
        var values = new Dictionary<SecretEnvironment, string>
        {
            [SecretEnvironment.Development] = "dev-" + new string('d', 200), [SecretEnvironment.Production] = "prd-" + new string('p', 200),
        };
        var id = (await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(owner, new SecretDraft(name, "", values)))).Value!.Id;
        var ciphertexts = await _app.WithDbAsync(db => db.SecretValues.Where(v => v.SecretId == id).Select(v => v.Ciphertext).ToListAsync());
        Assert.True((await _app.WithServiceAsync<SecretService, Result<string>>(s => s.DeleteAsync(owner, id, "delete"))).IsOk);
        return (owner, id, ciphertexts);
    }

    [Fact]
    public async Task DeletePermanently_CiphertextGoneFromDatabaseFileAndWal()
    {
        var (owner, id, ciphertexts) = await TrashedSecretAsync("STRIPE_API_KEY");
        // The positive control: in the trash, the ciphertext is still stored and the scan finds it.
        Assert.Equal(2, ciphertexts.Count);
        Assert.All(ciphertexts, c => Assert.True(SqliteFileAssert.ContainsWhileOpen(_app.DatabasePath, c)));

        Assert.True((await _app.WithServiceAsync<TrashService, Result<string>>(t => t.DeletePermanentlyAsync(owner, id, "delete"))).IsOk);

        Assert.All(ciphertexts, c => Assert.False(SqliteFileAssert.ContainsWhileOpen(_app.DatabasePath, c)));
        Assert.True(SqliteFileAssert.Contains(_app.DatabasePath, "SecretPermanentlyDeleted"));
    }

    [Fact]
    public async Task EveryConnection_ReusedOrNew_OverwritesDeletedContent()
    {
        await _app.SetUpAsync();
        var settings = new List<long>();
        for (var round = 0; round < 3; round++)
        {
            // Reused from the pool twice, then made anew.
            if (round == 2) Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            settings.Add(await _app.WithDbAsync(async db =>
            {
                await db.Database.OpenConnectionAsync();
                try
                {
                    await using var command = db.Database.GetDbConnection().CreateCommand();
                    command.CommandText = "PRAGMA secure_delete;";
                    return (long)(await command.ExecuteScalarAsync())!;
                }
                finally
                {
                    await db.Database.CloseConnectionAsync();
                }
            }));
        }

        Assert.Equal([1L, 1L, 1L], settings);
    }

    [Fact]
    public async Task Purge_CiphertextGoneFromDatabaseFileAndWal()
    {
        var (_, id, ciphertexts) = await TrashedSecretAsync("STRIPE_API_KEY");
        Assert.All(ciphertexts, c => Assert.True(SqliteFileAssert.ContainsWhileOpen(_app.DatabasePath, c)));
        _app.Clock.Advance(TimeSpan.FromDays(31));

        // Through the job, which waits for a pass the advanced clock may have started in the background.
        await _app.Services.GetRequiredService<TrashPurgeJob>().RunOnceAsync();

        Assert.Equal(0, await _app.WithDbAsync(db => db.Secrets.IgnoreQueryFilters().CountAsync(s => s.Id == id)));
        Assert.All(ciphertexts, c => Assert.False(SqliteFileAssert.ContainsWhileOpen(_app.DatabasePath, c)));
    }

    [Fact]
    public async Task GridQuery_WithSecretsInTheTrash_StillReadsOnlyTheCoveringIndex()
    {
        var (owner, _, _) = await TrashedSecretAsync("OLD_KEY");
        Assert.True((await _app.WithServiceAsync<SecretService, Result<SavedSecret>>(s => s.CreateAsync(owner,
            new SecretDraft("LIVE_KEY", "", new Dictionary<SecretEnvironment, string>())))).IsOk);

        var plan = await _app.WithDbAsync(db => SqliteAdmin.PlanAsync(db, SecretService.RowsQuery(db, owner.OrganizationId)));

        Assert.Contains(plan, line => line.Contains("USING COVERING INDEX IX_Secrets_Grid", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN s", StringComparison.Ordinal) && !line.Contains("INDEX", StringComparison.Ordinal));
        Assert.Equal(["LIVE_KEY"], (await _app.WithDbAsync(db => SecretService.RowsQuery(db, owner.OrganizationId).ToListAsync())).Select(r => r.Name));
    }

    [Fact]
    public async Task OldVersionsQuery_SearchesTheWriteTimeIndex_NotEveryVersionOfTheEnvironment()
    {
        await _app.SetUpAsync();

        var plan = await _app.WithDbAsync(db => SqliteAdmin.PlanAsync(db,
            ValueHistory.OldVersionsQuery(db, Guid.NewGuid(), SecretEnvironment.Staging, DateTimeOffset.UtcNow.AddDays(-90))));

        var search = Assert.Single(plan);
        Assert.StartsWith("SEARCH", search, StringComparison.Ordinal);
        Assert.Contains("IX_SecretValueVersions_SecretId_Environment_WrittenAt (SecretId=? AND Environment=? AND WrittenAt<?)", search, StringComparison.Ordinal);
    }
}
