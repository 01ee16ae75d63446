using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Tests.Integration.Security;

/// <summary>
/// The access token pages and API × every kind of caller: who may create a token over Mo's secret, revoke Mo's token, see
/// it in the list; a session cookie never opens the API; a token reads only its own scope in its own organization.
/// </summary>
public sealed class AccessTokenAuthorizationMatrixTests
{
    public enum Caller { Anonymous, MemberOwner, MemberNonOwner, Admin, SuperAdmin, OtherOrganizationAdmin }

    private static readonly string MoValue = "mo-value-" + Guid.NewGuid().ToString("N");
    private static readonly string GlobexValue = "globex-value-" + Guid.NewGuid().ToString("N");

    private static readonly Dictionary<Caller, string[]> Allowed = new()
    {
        [Caller.Anonymous] = [],
        [Caller.MemberOwner] = ["SeeMosToken", "CreateTokenOverMosSecret", "RevokeMosToken"],
        [Caller.MemberNonOwner] = [],
        [Caller.Admin] = ["SeeMosToken", "CreateTokenOverMosSecret", "RevokeMosToken"],
        [Caller.SuperAdmin] = ["SeeMosToken", "CreateTokenOverMosSecret", "RevokeMosToken"],
        [Caller.OtherOrganizationAdmin] = [],
    };

    public static TheoryData<Caller, string> Callers(string database)
    {
        var data = new TheoryData<Caller, string>();
        foreach (var caller in Enum.GetValues<Caller>()) data.Add(caller, database);
        return data;
    }

    [Theory]
    [MemberData(nameof(Callers), "Sqlite")]
    [PostgresMemberData(nameof(Callers), "Postgres")]
    public async Task TokenPagesAndApi_OnlyTheAllowedCallersActAndNoCookieOpensTheApi(Caller caller, string database)
    {
        using var app = database == "Postgres" ? new PostgresAppFactory() : new ZiggyAppFactory();
        var kit = new TokenKit(app);
        var superAdmin = await app.SetUpAsync("sa@acme.test");
        var org = superAdmin.OrganizationId;
        var mo = CurrentUser.Of(await app.AddUserAsync(org, "mo@acme.test", Role.Member, "Mo Owner"));
        await app.AddUserAsync(org, "mn@acme.test", Role.Member, "Nina NonOwner");
        await app.AddUserAsync(org, "ad@acme.test", Role.Admin, "Adam Admin");
        var globex = await app.AddOrganizationAsync("Globex");
        var olga = CurrentUser.Of(await app.AddUserAsync(globex, "oa@globex.test", Role.Admin, "Olga OtherAdmin"));
        await kit.SecretAsync(mo, "STRIPE_API_KEY", production: MoValue);
        await kit.SecretAsync(mo, "MO_OTHER", production: "mo-other-value-1");
        var mosToken = await kit.TryCreateAsync(mo, "Production", ["STRIPE_API_KEY"], purpose: "mos-worker");
        var stripeId = await kit.IdOfAsync("STRIPE_API_KEY");

        var email = caller switch
        {
            Caller.MemberOwner => "mo@acme.test", Caller.MemberNonOwner => "mn@acme.test", Caller.Admin => "ad@acme.test",
            Caller.SuperAdmin => "sa@acme.test", Caller.OtherOrganizationAdmin => "oa@globex.test", _ => null,
        };
        using var session = email is null ? app.CreateSession() : await app.SignInAsync(email);
        var antiforgery = (await session.GetPageAsync(email is null ? "/Account/SignIn" : "/Secrets"))
            .QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        var outcomes = new List<string>();
        void Check(string endpoint, bool happened, HttpStatusCode status)
        {
            var expected = Allowed[caller].Contains(endpoint);
            outcomes.Add($"{endpoint}: {(happened ? "yes" : "no")} ({(int)status})");
            Assert.True((int)status < 500, $"{caller} {endpoint}: {(int)status}");
            Assert.True(expected == happened, $"{caller} {endpoint}: expected {(expected ? "yes" : "no")}.\n{string.Join("\n", outcomes)}");
        }

        // The list: Mo's token shows only to Mo and the organization's administrators.
        var list = await session.GetAsync("/Integrations/Tokens");
        Check("SeeMosToken", (await list.Content.ReadAsStringAsync()).Contains("mos-worker"), list.StatusCode);

        // Creating a token over Mo's secret, by id (the form offers it only to those who may change it).
        var before = await app.WithDbAsync(db => db.AccessTokens.CountAsync());
        var create = await session.PostFormAsync("/Integrations/Tokens?handler=Create", new()
        {
            ["__RequestVerificationToken"] = antiforgery, ["Input.Purpose"] = "matrix", ["Input.Environment"] = "Production",
            ["Input.ExpiresInDays"] = "30", ["Input.SecretIds"] = stripeId.ToString(),
        });
        Check("CreateTokenOverMosSecret", await app.WithDbAsync(db => db.AccessTokens.CountAsync()) > before, create.StatusCode);

        // Revoking Mo's token.
        var revoke = await session.PostFormAsync($"/Integrations/Tokens?handler=Revoke&id={mosToken.Value!.Id}", new() { ["__RequestVerificationToken"] = antiforgery });
        Check("RevokeMosToken", await app.WithDbAsync(db => db.AccessTokens.AnyAsync(t => t.Id == mosToken.Value.Id && t.RevokedAt != null)), revoke.StatusCode);

        // No caller's cookie opens the API, for the list or one secret.
        foreach (var path in new[] { "/api/v1/secrets", "/api/v1/secrets/STRIPE_API_KEY" })
        {
            var api = await ApiResponse.ReadAsync(await session.GetAsync(path));
            api.AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenMissing);
        }

        // Another organization's token over a secret of the same name reads its own organization's value only, and
        // another token's scope stays out of reach.
        await kit.SecretAsync(olga, "STRIPE_API_KEY_GLOBEX", production: GlobexValue);
        var globexToken = await kit.CreateAsync(olga, "Production", "STRIPE_API_KEY_GLOBEX");
        var foreign = await kit.GetAsync("/api/v1/secrets/STRIPE_API_KEY", globexToken);
        foreign.AssertProblem(HttpStatusCode.Forbidden, ApiCodes.OutOfScope, "STRIPE_API_KEY");
        Assert.DoesNotContain(MoValue, foreign.Body);
        Assert.Equal(new Dictionary<string, string> { ["STRIPE_API_KEY_GLOBEX"] = GlobexValue }, (await kit.GetAsync("/api/v1/secrets", globexToken)).Values());
        var mosOther = await kit.CreateAsync(mo, "Production", "MO_OTHER");
        (await kit.GetAsync("/api/v1/secrets/STRIPE_API_KEY", mosOther)).AssertProblem(HttpStatusCode.Forbidden, ApiCodes.OutOfScope, "STRIPE_API_KEY");
    }
}
