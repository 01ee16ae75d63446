using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Tests.Integration.Postgres;

/// <summary>
/// On PostgreSQL the app's repeated statements are prepared on their connection (Npgsql's automatic preparation), and
/// PostgreSQL then keeps one plan for each, made without the parameters' values: such a plan must stay good for any value.
/// </summary>
[RequiresPostgres]
public sealed class StatementPreparationTests
{
    [Fact]
    public async Task RepeatedQuery_IsPreparedOnItsConnection()
    {
        using var app = new PostgresAppFactory();
        await app.SetUpAsync();

        var prepared = await app.WithDbAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            var before = await PreparedAsync(db);
            for (var i = 0; i < 10; i++) await db.Organizations.CountAsync(o => o.Name == "Acme");
            return (before, after: await PreparedAsync(db));
        });

        Assert.True(prepared.after > prepared.before, $"prepared statements on the connection: {prepared.before} before, {prepared.after} after");
    }

    /// <remarks>
    /// Thousands of events of two busy secrets: a plan made without the secret's id then expects any secret to have many,
    /// and filtered by organization and ordered by id it walked the table backwards by id, through every event, for a
    /// secret that has none.
    /// </remarks>
    [Fact]
    public async Task SecretHistory_PlanWithoutTheSecretsId_ReadsOnlyThatSecretsRangeOfItsIndex()
    {
        using var app = new PostgresAppFactory();
        var owner = await app.SetUpAsync();
        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            await using var fill = new NpgsqlCommand("""
                INSERT INTO "AuditEvents" ("OrganizationId", "At", "ActorName", "Action", "SecretId", "Details")
                SELECT @organization, g, 'Olivia Owner', 'SecretUpdated', CASE WHEN g % 2 = 0 THEN @busy1 ELSE @busy2 END, 'Values set: Staging.'
                FROM generate_series(1, 20000) AS g;
                ANALYZE "AuditEvents";
                """, connection);
            fill.Parameters.AddWithValue("organization", owner.OrganizationId);
            fill.Parameters.AddWithValue("busy1", Guid.NewGuid());
            fill.Parameters.AddWithValue("busy2", Guid.NewGuid());
            await fill.ExecuteNonQueryAsync();
        }

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ZiggyDbContext>();
        await db.Database.OpenConnectionAsync();
        var quiet = Guid.NewGuid();
        for (var i = 0; i < 10; i++) Assert.Empty(await scope.ServiceProvider.GetRequiredService<AuditQueries>().SecretHistoryAsync(quiet));

        var connectionOfApp = (NpgsqlConnection)db.Database.GetDbConnection();
        string? name = null;
        await using (var find = new NpgsqlCommand("""SELECT name FROM pg_prepared_statements WHERE statement LIKE '%FROM "AuditEvents"%' AND statement LIKE '%"SecretId" = $1%'""", connectionOfApp))
            name = (string?)await find.ExecuteScalarAsync();
        Assert.NotNull(name);
        var plan = new List<string>();
        await using (var explain = new NpgsqlCommand($"SET plan_cache_mode = force_generic_plan; EXPLAIN EXECUTE {name}('{quiet}')", connectionOfApp))
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            do
            {
                while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
            }
            while (await reader.NextResultAsync());
        }

        var text = string.Join("\n", plan);
        Assert.Contains("IX_AuditEvents_SecretId_At", text);
        Assert.DoesNotContain("PK_AuditEvents", text);
        Assert.DoesNotContain("Seq Scan", text);
    }

    private static Task<int> PreparedAsync(ZiggyDbContext db) =>
        db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM pg_prepared_statements").SingleAsync();
}
