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
/// revocation still uncommitted when the call is recorded comes after the call.) The calls that wait there are then
/// recorded together, in one commit.
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

    [Fact]
    public async Task CallsThatWaitForTheWriter_AreRecordedTogether_EachAnsweredWithItsValue()
    {
        const int calls = 20;
        var token = await _kit.CreateAsync(_mia, "Development", "STRIPE_API_KEY");
        var (write, release) = await _kit.HoldAWriteAsync();

        var answers = Enumerable.Range(0, calls).Select(_ => _kit.GetAsync("/api/v1/secrets", token)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(answers, a => a.IsCompleted);
        var before = Commits();
        release.SetResult();
        await write;

        Assert.All(await Task.WhenAll(answers), a => Assert.Equal((HttpStatusCode.OK, Value), (a.Status, a.Values().GetValueOrDefault("STRIPE_API_KEY"))));
        Assert.Equal(calls, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.AccessTokenUsed)));
        // The first call waited alone; those that came while it waited share the next commit.
        Assert.InRange(Commits() - before, 1, calls / 4);
    }

    [Fact]
    public async Task OneCallsRecordFails_ThatCallAloneIsRefused_TheOthersOfItsGroupAreAnsweredAndRecorded()
    {
        var good = await _kit.CreateAsync(_mia, "Development", "STRIPE_API_KEY");
        var bad = (await _kit.TryCreateAsync(_mia, "Development", ["STRIPE_API_KEY"], purpose: "refused-worker")).Value!.Token;
        await _app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""
            CREATE TRIGGER test_refuse_one_token BEFORE INSERT ON AuditEvents WHEN NEW.Details LIKE 'Access token refused-worker %'
            BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END;
            """));
        var (write, release) = await _kit.HoldAWriteAsync();

        var answers = new[] { good, bad, good, good, bad, good }.Select(t => (Token: t, Answer: _kit.GetAsync("/api/v1/secrets", t))).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));
        release.SetResult();
        await write;

        foreach (var (token, answer) in answers)
        {
            var response = await answer;
            if (token == bad)
            {
                response.AssertProblem(HttpStatusCode.InternalServerError, ApiCodes.ServerError);
                Assert.DoesNotContain(Value, response.Body);
            }
            else Assert.Equal((HttpStatusCode.OK, Value), (response.Status, response.Values().GetValueOrDefault("STRIPE_API_KEY")));
        }

        var recorded = await _app.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == AuditAction.AccessTokenUsed || e.Action == AuditAction.AccessTokenRefused).Select(e => e.Details).ToListAsync());
        Assert.Equal(4, recorded.Count);
        Assert.All(recorded, d => Assert.StartsWith("Access token billing-worker ", d));
        var lastUses = await _app.WithDbAsync(db => db.AccessTokens.AsNoTracking().OrderBy(t => t.Purpose).Select(t => t.LastUsedAt).ToListAsync());
        Assert.NotNull(lastUses[0]);
        Assert.Null(lastUses[1]);
    }

    private int Commits() => _app.LogLines.Count(l => l.Contains("Database.Transaction: Committed transaction", StringComparison.Ordinal));
}
