using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Tests.Integration;

/// <summary>The prepared statements of the hot paths (Data/DirectSql) on the app's own SQLite database.</summary>
public sealed class DirectSqlTests : IDisposable
{
    // sqlite3.h's SQLITE_STMTSTATUS_REPREPARE (SQLitePCL has no name for it): how often SQLite prepared a statement again.
    private const int StatementStatusReprepare = 5;

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

    [Fact]
    public async Task PreparedStatement_AfterTheContextClosedAndReopenedItsConnection_IsNotPreparedAgain()
    {
        // EF Core's own SQLite connection defined its functions again at every open, which expires every statement
        // prepared on the native connection (SqliteConnectionWithoutFunctions): this count was 1 with it.
        await _app.SetUpAsync();

        var (sameHandle, stepped, reprepared) = await _app.WithDbAsync(db =>
        {
            db.Database.OpenConnection();
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            var handle = connection.Handle!;
            Assert.Equal(raw.SQLITE_OK, raw.sqlite3_prepare_v3(handle, """SELECT count(*) FROM "AspNetUsers" """, raw.SQLITE_PREPARE_PERSISTENT, out var statement, out _));
            try
            {
                db.Database.CloseConnection();
                db.Database.OpenConnection();
                return Task.FromResult((ReferenceEquals(handle, connection.Handle), raw.sqlite3_step(statement), raw.sqlite3_stmt_status(statement, StatementStatusReprepare, 0)));
            }
            finally
            {
                raw.sqlite3_finalize(statement);
                db.Database.CloseConnection();
            }
        });

        Assert.True(sameHandle, "the pool handed the context another native connection, so the test shows nothing");
        Assert.Equal(raw.SQLITE_ROW, stepped);
        Assert.Equal(0, reprepared);
    }

    [Fact]
    public async Task Model_HasNoDecimalProperty_SoItNeedsNoneOfTheFunctionsTheConnectionLeavesOut()
    {
        var decimals = await _app.WithDbAsync(db => Task.FromResult(db.Model.GetEntityTypes().SelectMany(t => t.GetProperties())
            .Where(p => (Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType) == typeof(decimal))
            .Select(p => $"{p.DeclaringType.DisplayName()}.{p.Name}").ToList()));

        Assert.Empty(decimals);
        Assert.IsType<SqliteConnectionWithoutFunctions>(await _app.WithDbAsync(db => Task.FromResult(db.GetService<IRelationalConnection>())));
    }

    [Fact]
    public async Task Read_WhileAnotherConnectionHoldsTheDatabaseExclusively_WaitsForItThenAnswers()
    {
        // A read can meet a busy database (in WAL mode too: a closing connection cleaning up its WAL, recovery, another
        // process's exclusive lock). It must wait as EF Core's commands do, not fail the request. A file of its own in
        // rollback-journal mode, where an exclusive transaction shuts readers out until it ends.
        var path = Path.Combine(Path.GetTempPath(), $"ziggy-busy-{Guid.NewGuid():N}.db");
        try
        {
            using (var setup = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                setup.Open();
                using var create = setup.CreateCommand();
                create.CommandText = "CREATE TABLE Names (Name TEXT NOT NULL); INSERT INTO Names VALUES ('Olivia');";
                create.ExecuteNonQuery();
            }

            var holder = new SqliteConnection($"Data Source={path};Pooling=False");
            holder.Open();
            using (var exclusive = holder.CreateCommand())
            {
                exclusive.CommandText = "BEGIN EXCLUSIVE;";
                exclusive.ExecuteNonQuery();
            }

            var released = false;
            var release = Task.Run(async () =>
            {
                await Task.Delay(500);
                Volatile.Write(ref released, true);
                holder.Dispose();
            });

            await using var db = new ZiggyDbContext(new DbContextOptionsBuilder<ZiggyDbContext>().UseSqlite($"Data Source={path};Pooling=False").Options);
            var read = DirectSql.TryQueryFirst(db, $"""SELECT "Name" FROM "Names" WHERE "Name" = {"Olivia"}""", row => row.GetString(0), out var name);
            var releasedWhenRead = Volatile.Read(ref released);
            await release;

            Assert.True(read);
            Assert.True(releasedWhenRead, "The read answered while the other connection still held the database.");
            Assert.Equal("Olivia", name);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InTransaction_DirectAndEfCoreWrites_CommitTogetherOrNeither(bool ok)
    {
        // Direct statements and EF Core's SaveChanges inside one InTransactionAsync share its transaction.
        var owner = await _app.SetUpAsync();
        var organizationsBefore = await _app.WithDbAsync(db => db.Organizations.CountAsync());

        await _app.WithDbAsync(db => db.InTransactionAsync(async () =>
        {
            await DirectSql.ExecuteAsync(db, $"""UPDATE "AspNetUsers" SET "DisplayName" = {"Olivia Renamed"} WHERE "Id" = {owner.Id}""");
            db.Organizations.Add(new Web.Accounts.Organization { Name = "Globex" });
            await db.SaveChangesAsync();
            return ok ? Web.Common.Result<int>.Ok(1) : Web.Common.Result<int>.Invalid("Name", "Refused on purpose.");
        }));

        var name = await _app.WithDbAsync(db => db.Users.Where(u => u.Id == owner.Id).Select(u => u.DisplayName).SingleAsync());
        var organizations = await _app.WithDbAsync(db => db.Organizations.CountAsync());
        Assert.Equal(ok ? "Olivia Renamed" : owner.DisplayName, name);
        Assert.Equal(organizationsBefore + (ok ? 1 : 0), organizations);
    }
}
