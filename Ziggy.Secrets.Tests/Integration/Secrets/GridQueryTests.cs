using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>The grid's read path on the embedded database: the plan the benchmark's grid figures depend on.</summary>
public sealed class GridQueryTests : IDisposable
{
    private readonly ZiggyAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task GridRows_OnSqlite_AreReadFromTheCoveringIndexAlone()
    {
        var owner = await _app.SetUpAsync();

        var plan = await _app.WithDbAsync(async db =>
        {
            await using var command = SecretService.RowsQuery(db, owner.OrganizationId).CreateDbCommand();
            command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
            await db.Database.OpenConnectionAsync();
            await using var reader = await command.ExecuteReaderAsync();
            var details = new List<string>();
            while (await reader.ReadAsync()) details.Add(reader.GetString(reader.GetOrdinal("detail")));
            return details;
        });

        Assert.Contains(plan, step => step.Contains("USING COVERING INDEX IX_Secrets_Grid", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }
}
