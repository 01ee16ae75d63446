using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Tests.Integration;

/// <summary>The prepared statements of the hot paths (Data/DirectSql) on the app's own SQLite database.</summary>
public sealed class DirectSqlTests : IDisposable
{
    private readonly ZiggyAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Execute_OutsideATransaction_IsRefusedAndWritesNothing()
    {
        var owner = await _app.SetUpAsync();

        var refused = await _app.WithDbAsync(db => Assert.ThrowsAsync<InvalidOperationException>(() =>
            DirectSql.ExecuteAsync(db, $"""UPDATE "AspNetUsers" SET "DisplayName" = {"Changed"} WHERE "Id" = {owner.Id}""")));

        Assert.Contains("only inside a transaction", refused.Message);
        Assert.Equal(owner.DisplayName, await _app.WithDbAsync(db => db.Users.Where(u => u.Id == owner.Id).Select(u => u.DisplayName).SingleAsync()));
    }

    [Fact]
    public async Task Statements_AfterThePoolClosedTheirConnections_RunOnNewOnesAndSeeCommittedWrites()
    {
        var owner = await _app.SetUpAsync();
        string? ReadName(ZiggyDbContext db) =>
            DirectSql.TryQueryFirst(db, $"""SELECT "DisplayName" FROM "AspNetUsers" WHERE "Id" = {owner.Id}""", row => row.GetString(0), out var name) ? name : null;

        var before = await _app.WithDbAsync(db => Task.FromResult(ReadName(db)));
        SqliteConnection.ClearAllPools();
        await _app.WithDbAsync(db => db.InTransactionAsync(async () =>
            Web.Common.Result<int>.Ok(await DirectSql.ExecuteAsync(db, $"""UPDATE "AspNetUsers" SET "DisplayName" = {"Olivia Renamed"} WHERE "Id" = {owner.Id}"""))));
        var after = await _app.WithDbAsync(db => Task.FromResult(ReadName(db)));

        Assert.Equal(owner.DisplayName, before);
        Assert.Equal("Olivia Renamed", after);
        Assert.Equal("Olivia Renamed", await _app.WithDbAsync(db => db.Users.Where(u => u.Id == owner.Id).Select(u => u.DisplayName).SingleAsync()));
    }
}
