using System.Net;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Tests.Integration.Tokens;

/// <summary>
/// An API call is judged outside the database's writer and recorded in a short write of its own; nothing leaves before
/// the record is committed, and a revocation committed in between wins. On SQLite the call waits for the one writer's
/// place after judging, which lets a test commit a revocation exactly there. (PostgreSQL has no writer queue: a
/// revocation still uncommitted when the call is recorded comes after the call.)
/// </summary>
public sealed class AccessTokenRecordingTests : IAsyncLifetime
{
    private static readonly string Value = "sk_live_" + Guid.NewGuid().ToString("N");
    private readonly ZiggyAppFactory _app = new();
    private readonly TokenKit _kit;
    private CurrentUser _mia = null!;

    public AccessTokenRecordingTests() => _kit = new TokenKit(_app);

    public async Task InitializeAsync()
    {
        var olivia = await _app.SetUpAsync();
        _mia = CurrentUser.Of(await _app.AddUserAsync(olivia.OrganizationId, "mia@acme.test", Role.Member, "Mia Member"));
        await _kit.SecretAsync(_mia, "STRIPE_API_KEY", development: Value);
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task RevokedWhileTheCallWaitsToBeRecorded_TheRevocationWins_AndNoValueLeaves()
    {
        var token = await _kit.CreateAsync(_mia, "Development", "STRIPE_API_KEY");
        var holding = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var write = _app.WithServiceAsync<ZiggyDbContext, Result<bool>>(db => db.InTransactionAsync(async () =>
        {
            holding.SetResult();
            await release.Task;
            await db.AccessTokens.ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, _app.Clock.GetUtcNow()));
            return Result<bool>.Ok(true);
        }));
        await holding.Task;

        // The call is judged (the token is valid now) and then waits for the writer's place to record itself.
        var call = _kit.GetAsync("/api/v1/secrets", token);
        Assert.NotSame(call, await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(1))));
        release.SetResult();
        await write;

        var response = await call;
        response.AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenRevoked);
        Assert.DoesNotContain(Value, response.Body);
        var recorded = await _app.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == AuditAction.AccessTokenUsed || e.Action == AuditAction.AccessTokenRefused).ToListAsync());
        Assert.Equal(AuditAction.AccessTokenRefused, Assert.Single(recorded).Action);
        Assert.Null(await _app.WithDbAsync(db => db.AccessTokens.Select(t => t.LastUsedAt).SingleAsync()));
    }
}
