using System.Net;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;

namespace Ziggy.Secrets.Tests.Integration.Tokens;

/// <summary>A program reading with one token from many threads at once: every call is answered and recorded, none fails.</summary>
public class ConcurrentTokenReadTests : IAsyncLifetime
{
    private const int Calls = 100;
    private static readonly string Value = "sk_live_" + Guid.NewGuid().ToString("N");
    private readonly ZiggyAppFactory _app;
    private readonly TokenKit _kit;
    private CurrentUser _mia = null!;

    public ConcurrentTokenReadTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected ConcurrentTokenReadTests(ZiggyAppFactory app)
    {
        _app = app;
        _kit = new TokenKit(app);
    }

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
    public async Task OneTokenFromManyThreadsAtOnce_EveryCallIsAnsweredAndRecorded()
    {
        var token = await _kit.CreateAsync(_mia, "Development", "STRIPE_API_KEY");
        var start = new TaskCompletionSource();
        var calls = Enumerable.Range(0, Calls).Select(async _ =>
        {
            await start.Task;
            return await _kit.GetAsync("/api/v1/secrets", token);
        }).ToList();
        start.SetResult();
        var answers = await Task.WhenAll(calls);

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, Value), (a.Status, a.Values().GetValueOrDefault("STRIPE_API_KEY"))));
        Assert.Equal(Calls, await _app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditAction.AccessTokenUsed)));
    }
}

/// <summary>The same on PostgreSQL, where the calls' transactions really run at the same time.</summary>
[RequiresPostgres]
public sealed class ConcurrentTokenReadTestsOnPostgres() : ConcurrentTokenReadTests(new PostgresAppFactory());
