using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>SQLite only: how a save's pruning finds what it may delete, whatever the number of young versions.</summary>
public sealed class HistoryPrunePlanTests : IDisposable
{
    private readonly ZiggyAppFactory _app = new();

    public void Dispose() => _app.Dispose();

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
