using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Secrets;
using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Tests.Integration.Tokens;

/// <summary>
/// The machine API as programs and hostile members use it. Mia (a Member) owns STRIPE_API_KEY and DB_URL; Olivia (the
/// SuperAdmin) owns ADMIN_KEY; Adam is an Admin. Every refusal of the contract is provoked and checked for its code.
/// </summary>
public class AccessTokenApiTests : IAsyncLifetime
{
    public const int RequestsPerMinute = 8;

    private static readonly string StripeDev = "sk_test_" + Guid.NewGuid().ToString("N");
    private static readonly string StripeProd = "sk_live_" + Guid.NewGuid().ToString("N") + "\"<&>+é";
    private static readonly string DbProd = "postgres://app:" + Guid.NewGuid().ToString("N") + "@db/app";
    private static readonly string AdminProd = "admin-" + Guid.NewGuid().ToString("N");

    private readonly Func<ZiggyAppFactory> _newApp;
    private readonly ZiggyAppFactory _app;
    private readonly TokenKit _kit;
    private CurrentUser _olivia = null!;
    private CurrentUser _mia = null!;
    private CurrentUser _adam = null!;

    public AccessTokenApiTests()
        : this(() => new ZiggyAppFactory { TestServices = SmallRateLimit })
    {
    }

    protected AccessTokenApiTests(Func<ZiggyAppFactory> newApp)
    {
        _newApp = newApp;
        _app = newApp();
        _kit = new TokenKit(_app);
    }

    protected static void SmallRateLimit(IServiceCollection services) => services.Configure<TokenApiOptions>(o => o.RequestsPerMinute = RequestsPerMinute);

    public async Task InitializeAsync()
    {
        var olivia = await _app.SetUpAsync();
        _olivia = CurrentUser.Of(olivia);
        _mia = CurrentUser.Of(await _app.AddUserAsync(olivia.OrganizationId, "mia@acme.test", Role.Member, "Mia Member"));
        _adam = CurrentUser.Of(await _app.AddUserAsync(olivia.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin"));
        await _kit.SecretAsync(_mia, "STRIPE_API_KEY", development: StripeDev, production: StripeProd);
        await _kit.SecretAsync(_mia, "DB_URL", production: DbProd);
        await _kit.SecretAsync(_mia, "DEV_ONLY", development: "dev-only-value-1");
        await _kit.SecretAsync(_olivia, "ADMIN_KEY", production: AdminProd);
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    private Task<List<AuditEvent>> AuditAsync(params AuditAction[] actions) =>
        _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => actions.Contains(e.Action)).OrderBy(e => e.Id).ToListAsync());

    [Fact]
    public async Task List_ValidToken_ReturnsExactlyTheScopeInItsEnvironmentUncachedAndAudited()
    {
        var token = await _kit.CreateAsync(_mia, "Production", "STRIPE_API_KEY", "DB_URL");

        var response = await _kit.GetAsync("/api/v1/secrets", token);

        Assert.Equal(new Dictionary<string, string> { ["DB_URL"] = DbProd, ["STRIPE_API_KEY"] = StripeProd }, response.Values());
        Assert.Equal("no-store", response.Headers["Cache-Control"]);
        var used = Assert.Single(await AuditAsync(AuditAction.AccessTokenUsed));
        Assert.Equal("DB_URL, STRIPE_API_KEY", used.SecretName);
        Assert.Contains("billing-worker", used.Details);
        Assert.Equal(_mia.UserId, used.ActorId);
        Assert.DoesNotContain(StripeProd, used.Details + used.SecretName + used.ActorName);
        Assert.DoesNotContain(token, used.Details + used.SecretName + used.ActorName);
        var stored = await _app.WithDbAsync(db => db.AccessTokens.AsNoTracking().SingleAsync());
        Assert.Equal(_app.Clock.GetUtcNow(), stored.LastUsedAt);
        Assert.Equal(AccessTokenFormat.HashOf(token), stored.Hash);
    }

    [Fact]
    public async Task LastUse_IsKeptToTheMinute_EveryCallIsStillAudited()
    {
        var token = await _kit.CreateAsync(_mia, "Production", "STRIPE_API_KEY");
        var first = _app.Clock.GetUtcNow();
        Task<DateTimeOffset?> LastUsedAsync() => _app.WithDbAsync(db => db.AccessTokens.AsNoTracking().Select(t => t.LastUsedAt).SingleAsync());

        Assert.Equal(HttpStatusCode.OK, (await _kit.GetAsync("/api/v1/secrets", token)).Status);
        _app.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(HttpStatusCode.OK, (await _kit.GetAsync("/api/v1/secrets", token)).Status);
        Assert.Equal(first, await LastUsedAsync());

        _app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await _kit.GetAsync("/api/v1/secrets", token)).Status);
        Assert.Equal(first.AddMinutes(1), await LastUsedAsync());
        Assert.Equal(3, (await AuditAsync(AuditAction.AccessTokenUsed)).Count);
    }

    [Fact]
    public async Task GetOne_InScope_ReturnsOneEntry_OtherNamesAreOutOfScope()
    {
        var token = await _kit.CreateAsync(_mia, "Development", "STRIPE_API_KEY");

        Assert.Equal(new Dictionary<string, string> { ["STRIPE_API_KEY"] = StripeDev }, (await _kit.GetAsync("/api/v1/secrets/STRIPE_API_KEY", token)).Values());
        // Another secret of the organization, a spelling of the same name, and a name that does not exist: all outside the scope.
        (await _kit.GetAsync("/api/v1/secrets/DB_URL", token)).AssertProblem(HttpStatusCode.Forbidden, ApiCodes.OutOfScope, "DB_URL");
        (await _kit.GetAsync("/api/v1/secrets/stripe_api_key", token)).AssertProblem(HttpStatusCode.Forbidden, ApiCodes.OutOfScope, "stripe_api_key");
        (await _kit.GetAsync("/api/v1/secrets/NOPE", token)).AssertProblem(HttpStatusCode.Forbidden, ApiCodes.OutOfScope, "NOPE");
        var refused = await AuditAsync(AuditAction.AccessTokenRefused);
        Assert.Equal(3, refused.Count);
        Assert.All(refused, e => Assert.Contains(ApiCodes.OutOfScope, e.Details));
    }

    [Fact]
    public async Task PathSpellings_ReachTheSameEndpoints()
    {
        var token = await _kit.CreateAsync(_mia, "Development", "STRIPE_API_KEY");

        foreach (var path in new[] { "/API/V1/SECRETS", "/api/v1/secrets/", "/api//v1/secrets", "/api/v1/Secrets/STRIPE_API_KEY" })
        {
            var response = await _kit.GetAsync(path, token);
            // A spelling the router does not take to the API is answered like any unknown address, and never with a value.
            if (response.Status != HttpStatusCode.OK) Assert.DoesNotContain(StripeDev, response.Body);
            else Assert.Equal(StripeDev, response.Values()["STRIPE_API_KEY"]);
        }

        // An encoded name is still only a name: nothing outside the scope comes back.
        (await _kit.GetAsync("/api/v1/secrets/DB%5FURL", token)).AssertProblem(HttpStatusCode.Forbidden, ApiCodes.OutOfScope, "DB_URL");
    }

    [Fact]
    public async Task NoToken_CookieOnlyOrAnotherScheme_IsTokenMissing()
    {
        (await _kit.GetAsync("/api/v1/secrets", null)).AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenMissing);
        (await _kit.GetAsync("/api/v1/secrets", null, adjust: r => r.Headers.TryAddWithoutValidation("Authorization", "Basic bWlhOnB3"))).AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenMissing);

        // A signed-in browser session is not a token, for the list and for one secret.
        using var session = await _app.SignInAsync("mia@acme.test");
        (await _kit.GetAsync("/api/v1/secrets", null, session.Client)).AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenMissing);
        (await _kit.GetAsync("/api/v1/secrets/STRIPE_API_KEY", null, session.Client)).AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenMissing);
        Assert.Empty(await AuditAsync(AuditAction.AccessTokenUsed));
    }

    [Fact]
    public async Task MalformedOrUnknownToken_IsTokenInvalid()
    {
        var token = await _kit.CreateAsync(_mia, "Development", "STRIPE_API_KEY");
        var flipped = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        var unknown = AccessTokenFormat.New().Token;
        foreach (var bad in new[] { "zgs_", token[..^1], token[..^1] + "B", token + "A", "ZGS_" + token[4..], flipped, unknown, token.Replace("zgs_", "zgs-") })
        {
            (await _kit.GetAsync("/api/v1/secrets", null, adjust: r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bad)))
                .AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenInvalid);
        }
    }

    [Fact]
    public async Task UnknownToken_IsAnsweredWhileAWriteHoldsTheDatabase_AndAKnownOneStillWorks()
    {
        var token = await _kit.CreateAsync(_mia, "Development", "STRIPE_API_KEY");
        var (write, release) = await _kit.HoldAWriteAsync();
        try
        {
            // On SQLite the write holds the only writer's place; on PostgreSQL nothing waits. Either way, made-up tokens
            // are refused at once.
            var unknown = _kit.GetAsync("/api/v1/secrets", AccessTokenFormat.New().Token);
            Assert.Same(unknown, await Task.WhenAny(unknown, Task.Delay(TimeSpan.FromSeconds(20))));
            (await unknown).AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenInvalid);
        }
        finally
        {
            release.SetResult();
            await write;
        }

        Assert.Equal(HttpStatusCode.OK, (await _kit.GetAsync("/api/v1/secrets", token)).Status);
    }

    [Fact]
    public async Task Expired_ByTheClock_IsTokenExpired()
    {
        var created = await _kit.TryCreateAsync(_mia, "Development", ["STRIPE_API_KEY"], days: 1);
        var token = created.Value!.Token;
        Assert.Equal(StripeDev, (await _kit.GetAsync("/api/v1/secrets", token)).Values()["STRIPE_API_KEY"]);

        _app.Clock.Advance(TimeSpan.FromDays(1));

        var response = await _kit.GetAsync("/api/v1/secrets", token);
        response.AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenExpired);
        Assert.DoesNotContain(StripeDev, response.Body);
        Assert.Contains(await AuditAsync(AuditAction.AccessTokenRefused), e => e.Details.Contains(ApiCodes.TokenExpired));
    }

    [Fact]
    public async Task Revoked_ByCreatorOrAdmin_IsTokenRevokedAtOnce_OthersCannotRevoke()
    {
        var first = await _kit.TryCreateAsync(_mia, "Development", ["STRIPE_API_KEY"]);
        var second = await _kit.TryCreateAsync(_mia, "Development", ["STRIPE_API_KEY"]);
        var otherOrgAdmin = CurrentUser.Of(await _app.AddUserAsync(await _app.AddOrganizationAsync("Globex"), "oa@globex.test", Role.Admin, "Olga"));
        var otherMember = CurrentUser.Of(await _app.AddUserAsync(_mia.OrganizationId, "max@acme.test", Role.Member, "Max"));

        Task<Result<Guid>> Revoke(CurrentUser who, Guid id) => _app.WithServiceAsync<AccessTokenService, Result<Guid>>(s => s.RevokeAsync(who, id));
        Assert.Equal(Outcome.NotFound, (await Revoke(otherMember, first.Value!.Id)).Outcome);
        Assert.Equal(Outcome.NotFound, (await Revoke(otherOrgAdmin, first.Value!.Id)).Outcome);
        Assert.Equal(StripeDev, (await _kit.GetAsync("/api/v1/secrets", first.Value!.Token)).Values()["STRIPE_API_KEY"]);

        Assert.True((await Revoke(_mia, first.Value!.Id)).IsOk);
        Assert.True((await Revoke(_adam, second.Value!.Id)).IsOk);

        (await _kit.GetAsync("/api/v1/secrets", first.Value!.Token)).AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenRevoked);
        (await _kit.GetAsync("/api/v1/secrets/STRIPE_API_KEY", second.Value!.Token)).AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenRevoked);
        Assert.Equal(2, (await AuditAsync(AuditAction.AccessTokenRevoked)).Count);
    }

    [Fact]
    public async Task CreatorLosesTheSecret_TransferredDemotedOrDeactivated_StopsReturningIt()
    {
        var mias = await _kit.CreateAsync(_mia, "Production", "STRIPE_API_KEY");
        var adams = await _kit.CreateAsync(_adam, "Production", "ADMIN_KEY", "DB_URL");
        Assert.Equal(2, (await _kit.GetAsync("/api/v1/secrets", adams)).Values().Count);

        // Transferred away from Mia: her token no longer returns it.
        var stripe = await _kit.IdOfAsync("STRIPE_API_KEY");
        await _app.WithDbAsync(db => db.Secrets.Where(s => s.Id == stripe).ExecuteUpdateAsync(s => s.SetProperty(x => x.OwnerId, _olivia.UserId)));
        var refused = await _kit.GetAsync("/api/v1/secrets", mias);
        refused.AssertProblem(HttpStatusCode.Forbidden, ApiCodes.NotAllowed, "STRIPE_API_KEY");
        Assert.DoesNotContain(StripeProd, refused.Body);

        // Adam demoted to Member: he may change neither ADMIN_KEY (Olivia's) nor DB_URL (Mia's).
        await _app.WithDbAsync(db => db.Users.Where(u => u.Id == _adam.UserId).ExecuteUpdateAsync(u => u.SetProperty(x => x.Role, Role.Member)));
        (await _kit.GetAsync("/api/v1/secrets", adams)).AssertProblem(HttpStatusCode.Forbidden, ApiCodes.NotAllowed, "ADMIN_KEY", "DB_URL");
        (await _kit.GetAsync("/api/v1/secrets/DB_URL", adams)).AssertProblem(HttpStatusCode.Forbidden, ApiCodes.NotAllowed, "DB_URL");

        // Promoted again, then deactivated: a deactivated Admin acts as a Member.
        await _app.WithDbAsync(db => db.Users.Where(u => u.Id == _adam.UserId).ExecuteUpdateAsync(u => u.SetProperty(x => x.Role, Role.Admin)));
        Assert.Equal(AdminProd, (await _kit.GetAsync("/api/v1/secrets/ADMIN_KEY", adams)).Values()["ADMIN_KEY"]);
        await _app.WithDbAsync(db => db.Users.Where(u => u.Id == _adam.UserId).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsActive, false)));
        (await _kit.GetAsync("/api/v1/secrets/ADMIN_KEY", adams)).AssertProblem(HttpStatusCode.Forbidden, ApiCodes.NotAllowed, "ADMIN_KEY");
    }

    [Fact]
    public async Task MissingValueOrDeletedSecret_AllOrNothing_NamesThem()
    {
        var token = await _kit.CreateAsync(_mia, "Production", "STRIPE_API_KEY", "DEV_ONLY", "DB_URL");

        var noValue = await _kit.GetAsync("/api/v1/secrets", token);
        noValue.AssertProblem(HttpStatusCode.NotFound, ApiCodes.NoValue, "DEV_ONLY");
        Assert.DoesNotContain(StripeProd, noValue.Body);
        Assert.DoesNotContain(DbProd, noValue.Body);
        (await _kit.GetAsync("/api/v1/secrets/DEV_ONLY", token)).AssertProblem(HttpStatusCode.NotFound, ApiCodes.NoValue, "DEV_ONLY");
        Assert.Equal(StripeProd, (await _kit.GetAsync("/api/v1/secrets/STRIPE_API_KEY", token)).Values()["STRIPE_API_KEY"]);

        var deleted = await _app.WithServiceAsync<SecretService, Result<string>>(async s => await s.DeleteAsync(_mia, await _kit.IdOfAsync("DB_URL"), "delete"));
        Assert.True(deleted.IsOk, string.Join("; ", deleted.Errors.Select(e => e.Message)));
        (await _kit.GetAsync("/api/v1/secrets/DB_URL", token)).AssertProblem(HttpStatusCode.NotFound, ApiCodes.NotFound, "DB_URL");
        (await _kit.GetAsync("/api/v1/secrets", token)).AssertProblem(HttpStatusCode.NotFound, ApiCodes.NotFound, "DB_URL");
    }

    [Fact]
    public async Task AllowedNetworks_TheClientsAddressDecides()
    {
        // The in-memory test server has no client address: a token limited to networks refuses it (fails closed).
        var limited = await _kit.CreateWithNetworksAsync(_mia, "Development", "127.0.0.0/8", "STRIPE_API_KEY");
        (await _kit.GetAsync("/api/v1/secrets", limited)).AssertProblem(HttpStatusCode.Forbidden, ApiCodes.NetworkNotAllowed);

        // Over a real TCP connection the client is 127.0.0.1.
        using var tcp = _newApp();
        tcp.UseKestrel(0);
        tcp.StartServer();
        var kit = new TokenKit(tcp);
        var owner = CurrentUser.Of(await tcp.SetUpAsync());
        await kit.SecretAsync(owner, "STRIPE_API_KEY", development: StripeDev);
        var inside = await kit.CreateWithNetworksAsync(owner, "Development", "127.0.0.0/8, ::1", "STRIPE_API_KEY");
        var outside = await kit.CreateWithNetworksAsync(owner, "Development", "203.0.113.0/24\n2001:db8::/32", "STRIPE_API_KEY");
        using var client = new HttpClient { BaseAddress = tcp.ClientOptions.BaseAddress };

        Assert.Equal(StripeDev, (await kit.GetAsync("/api/v1/secrets", inside, client)).Values()["STRIPE_API_KEY"]);
        var refused = await kit.GetAsync("/api/v1/secrets/STRIPE_API_KEY", outside, client);
        refused.AssertProblem(HttpStatusCode.Forbidden, ApiCodes.NetworkNotAllowed);
        Assert.Contains("127.0.0.1", refused.Detail);
        Assert.DoesNotContain(StripeDev, refused.Body);
        var stored = await tcp.WithDbAsync(db => db.AccessTokens.AsNoTracking().Where(t => t.LastUsedAt != null).SingleAsync());
        Assert.Equal("127.0.0.1", stored.LastUsedIp);
        var audited = await tcp.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == AuditAction.AccessTokenUsed).SingleAsync());
        Assert.Equal("127.0.0.1", audited.Ip);
    }

    [Fact]
    public async Task RateLimit_PerToken_429WithRetryAfter_OtherTokensUnaffected()
    {
        var busy = await _kit.CreateAsync(_mia, "Development", "STRIPE_API_KEY");
        var calm = await _kit.CreateAsync(_mia, "Development", "STRIPE_API_KEY");
        for (var i = 0; i < RequestsPerMinute; i++) Assert.Equal(HttpStatusCode.OK, (await _kit.GetAsync("/api/v1/secrets", busy)).Status);

        var limited = await _kit.GetAsync("/api/v1/secrets/STRIPE_API_KEY", busy);

        limited.AssertProblem(HttpStatusCode.TooManyRequests, ApiCodes.RateLimited);
        Assert.InRange(int.Parse(limited.Headers["Retry-After"]), 1, 60);
        Assert.DoesNotContain(StripeDev, limited.Body);
        Assert.Equal(StripeDev, (await _kit.GetAsync("/api/v1/secrets", calm)).Values()["STRIPE_API_KEY"]);
    }

    [Fact]
    public async Task Cors_NeverAnswered_EvenWithAnOrigin()
    {
        var token = await _kit.CreateAsync(_mia, "Development", "STRIPE_API_KEY");
        var get = await _kit.GetAsync("/api/v1/secrets", token, adjust: r => r.Headers.Add("Origin", "https://evil.example"));
        var preflight = await _kit.GetAsync("/api/v1/secrets", null, adjust: r =>
        {
            r.Method = HttpMethod.Options;
            r.Headers.Add("Origin", "https://evil.example");
            r.Headers.Add("Access-Control-Request-Method", "GET");
            r.Headers.Add("Access-Control-Request-Headers", "authorization");
        });

        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.NotEqual(HttpStatusCode.OK, preflight.Status);
        foreach (var response in new[] { get, preflight })
            Assert.DoesNotContain(response.Headers.Keys, k => k.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task BearerToken_OnPages_OpensNothingMoreThanAnonymous()
    {
        var token = await _kit.CreateAsync(_olivia, "Production", "ADMIN_KEY");
        using var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var page in new[] { "/", "/Secrets", "/Integrations/Tokens", "/Team", "/Audit", "/Secrets?handler=Rows" })
        {
            using var anonymous = await client.GetAsync(page);
            using var request = new HttpRequestMessage(HttpMethod.Get, page);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var bearer = await client.SendAsync(request);
            Assert.Equal(anonymous.StatusCode, bearer.StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, bearer.StatusCode);
            Assert.StartsWith("/Account/SignIn", bearer.Headers.Location!.OriginalString.Replace("http://localhost", ""));
        }
    }

    [Fact]
    public async Task AuditWriteFails_NoValueIsReturnedAndNothingIsRecorded()
    {
        var token = await _kit.CreateAsync(_mia, "Production", "STRIPE_API_KEY");
        await _app.WithDbAsync(db => db.Database.IsNpgsql()
            ? db.Database.ExecuteSqlRawAsync("""
                CREATE FUNCTION test_refuse_token_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW."Action" = 'AccessTokenUsed' THEN RAISE EXCEPTION 'audit refused by the test'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER test_refuse_token_audit BEFORE INSERT ON "AuditEvents" FOR EACH ROW EXECUTE FUNCTION test_refuse_token_audit();
                """)
            : db.Database.ExecuteSqlRawAsync("""
                CREATE TRIGGER test_refuse_token_audit BEFORE INSERT ON AuditEvents WHEN NEW.Action = 'AccessTokenUsed'
                BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END;
                """));

        var response = await _kit.GetAsync("/api/v1/secrets", token);

        response.AssertProblem(HttpStatusCode.InternalServerError, ApiCodes.ServerError);
        Assert.DoesNotContain(StripeProd, response.Body);
        Assert.Null(await _app.WithDbAsync(db => db.AccessTokens.AsNoTracking().Select(t => t.LastUsedAt).SingleAsync()));
        Assert.Empty(await AuditAsync(AuditAction.AccessTokenUsed));
        Assert.DoesNotContain(_app.LogLines, l => l.Contains(StripeProd, StringComparison.Ordinal) || l.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_BadInput_EachFieldGetsItsOwnMessageAndNothingIsStored()
    {
        var result = await _app.WithServiceAsync<AccessTokenService, Result<CreatedAccessToken>>(s =>
            s.CreateAsync(_mia, new AccessTokenDraft(" ", "Prod", [], 366, "10.0.0.1/8, banana, 10.0.0.0/33")));

        Assert.Equal(Outcome.Invalid, result.Outcome);
        var byField = result.Errors.ToLookup(e => e.Field, e => e.Message);
        Assert.Equal("Enter what the token is for, such as billing-worker.", Assert.Single(byField["Purpose"]));
        Assert.Equal("Choose one environment: Development, Staging or Production.", Assert.Single(byField["Environment"]));
        Assert.Equal("A token is valid for 1 to 365 days.", Assert.Single(byField["ExpiresInDays"]));
        Assert.Equal("Choose at least one secret.", Assert.Single(byField["SecretIds"]));
        Assert.Equal(
            ["10.0.0.1/8 is an address inside a network, not the network itself: write 10.0.0.0/8.",
             "banana is not a network: write it as an address and prefix length, such as 203.0.113.0/24 or 2001:db8::/32.",
             "10.0.0.0/33: the prefix length after / must be a number from 0 to 32."],
            byField["Networks"].ToArray());

        foreach (var (purpose, environment, days, message) in new[]
        {
            (new string('p', 101), "Development", (int?)90, "The purpose can be at most 100 characters."),
            ("line\nbreak", "Development", 90, "The purpose cannot contain control characters or line breaks."),
            ("ok", "1", 90, "Choose one environment: Development, Staging or Production."),
            ("ok", "development", 90, "Choose one environment: Development, Staging or Production."),
            ("ok", "Development", 0, "A token is valid for 1 to 365 days."),
            ("ok", "Development", null, "Enter how many days the token stays valid (1 to 365)."),
        })
        {
            var refused = await _kit.TryCreateAsync(_mia, environment, ["STRIPE_API_KEY"], days, purpose: purpose);
            Assert.Equal(message, Assert.Single(refused.Errors).Message);
        }

        Assert.Equal(0, await _app.WithDbAsync(db => db.AccessTokens.CountAsync()));
    }

    [Fact]
    public async Task Create_MemberOnlyOwnSecrets_AdminAny_OtherOrganizationsIdsRefused()
    {
        var refused = await _kit.TryCreateAsync(_mia, "Production", ["STRIPE_API_KEY", "ADMIN_KEY"]);
        Assert.Equal("You may not change ADMIN_KEY, so a token of yours cannot carry it.", Assert.Single(refused.Errors).Message);

        var globex = await _app.AddOrganizationAsync("Globex");
        var olga = CurrentUser.Of(await _app.AddUserAsync(globex, "oa@globex.test", Role.Admin, "Olga"));
        var foreign = await _kit.TryCreateAsync(olga, "Production", ["STRIPE_API_KEY"]);
        Assert.Equal("One chosen secret does not exist (any more).", Assert.Single(foreign.Errors).Message);
        Assert.Equal(0, await _app.WithDbAsync(db => db.AccessTokens.CountAsync()));

        var admin = await _kit.TryCreateAsync(_adam, "Production", ["STRIPE_API_KEY", "ADMIN_KEY"]);
        Assert.True(admin.IsOk);
        Assert.Matches("^zgs_[A-Za-z0-9_-]{43}$", admin.Value!.Token);
        Assert.Equal(2, (await _kit.GetAsync("/api/v1/secrets", admin.Value.Token)).Values().Count);
        var created = Assert.Single(await AuditAsync(AuditAction.AccessTokenCreated));
        Assert.DoesNotContain(admin.Value.Token, created.Details);
        // Only the hash is stored.
        Assert.Equal(0, await _app.WithDbAsync(db => db.AccessTokens.CountAsync(t => t.Purpose.Contains(admin.Value.Token))));
    }

    [Fact]
    public async Task List_AdminsSeeTheOrganizations_MembersTheirOwn()
    {
        await _kit.CreateAsync(_mia, "Production", "STRIPE_API_KEY");
        await _kit.CreateAsync(_adam, "Production", "ADMIN_KEY");
        var globex = await _app.AddOrganizationAsync("Globex");
        var olga = CurrentUser.Of(await _app.AddUserAsync(globex, "oa@globex.test", Role.Admin, "Olga"));

        Task<IReadOnlyList<AccessTokenListItem>> List(CurrentUser who) => _app.WithServiceAsync<AccessTokenService, IReadOnlyList<AccessTokenListItem>>(s => s.ListAsync(who));
        Assert.Equal(["Mia Member"], (await List(_mia)).Select(t => t.CreatedBy));
        Assert.Equal(2, (await List(_adam)).Count);
        Assert.All(await List(_adam), t => Assert.True(t.MayRevoke));
        Assert.Empty(await List(olga));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesBothPathsWithTheBearerScheme()
    {
        using var client = _app.CreateDefaultClient();
        using var response = await client.GetAsync("/openapi/v1.json");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = System.Text.Json.JsonDocument.Parse(body);
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["/api/v1/secrets", "/api/v1/secrets/{name}"], paths.Order());
        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("accessToken");
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var responses = document.RootElement.GetProperty("paths").GetProperty("/api/v1/secrets").GetProperty("get").GetProperty("responses");
        foreach (var status in new[] { "200", "401", "403", "404", "429" }) Assert.True(responses.TryGetProperty(status, out _), status);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class AccessTokenApiTestsOnPostgres() : AccessTokenApiTests(() => new PostgresAppFactory { TestServices = SmallRateLimit });
