using System.Net;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Tests.Integration.Tokens;

/// <summary>
/// How an API read finds its token's secrets: by primary key, whatever the organization's size, and never another
/// organization's secret, even when a scope row has been made to point at one.
/// </summary>
public class AccessTokenScopeLookupTests : IDisposable
{
    private readonly ZiggyAppFactory _app = new(settings: new() { ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Information" });
    private readonly TokenKit _kit;

    public AccessTokenScopeLookupTests() => _kit = new TokenKit(_app);

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Read_LooksUpEachSecretOfTheScopeByPrimaryKey_NotByWalkingTheOrganization()
    {
        var owner = CurrentUser.Of(await _app.SetUpAsync());
        for (var i = 0; i < 30; i++) await _kit.SecretAsync(owner, $"KEY_{i:00}", production: $"value-{i:00}-" + Guid.NewGuid().ToString("N"));
        var token = await _kit.CreateAsync(owner, "Production", "KEY_03", "KEY_17", "KEY_29");
        _app.LogLines.Clear();

        Assert.Equal(3, (await _kit.GetAsync("/api/v1/secrets", token)).Values().Count);

        var read = Assert.Single(_app.ExecutedStatements(), sql => sql.Contains("FROM \"Secrets\"", StringComparison.Ordinal));
        var plan = SqliteAdmin.Plan(_app.DatabasePath, read);
        Assert.Contains(plan, line => line.StartsWith("SEARCH s USING INDEX sqlite_autoindex_Secrets_1 (Id=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("OrganizationId=?", StringComparison.Ordinal) || line.StartsWith("SCAN", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_ScopeRowTamperedToPointAtAnotherOrganizationsSecret_IsNotFound_AndShowsNothingOfIt()
    {
        var owner = CurrentUser.Of(await _app.SetUpAsync());
        await _kit.SecretAsync(owner, "OWN_KEY", production: "own-value-" + Guid.NewGuid().ToString("N"));
        var globex = await _app.AddOrganizationAsync("Globex");
        var olga = CurrentUser.Of(await _app.AddUserAsync(globex, "oa@globex.test", Role.Admin, "Olga"));
        var foreignValue = "globex-value-" + Guid.NewGuid().ToString("N");
        var foreign = await _kit.SecretAsync(olga, "GLOBEX_KEY", production: foreignValue);
        var token = await _kit.CreateAsync(owner, "Production", "OWN_KEY");
        var own = await _kit.IdOfAsync("OWN_KEY");

        // Someone with the database file in hand points the token's scope at Globex's secret.
        Assert.Equal(1, SqliteAdmin.Execute(_app.DatabasePath, "UPDATE AccessTokenSecrets SET SecretId = $foreign WHERE SecretId = $own",
            ("$foreign", SqliteAdmin.Text(foreign)), ("$own", SqliteAdmin.Text(own))));

        var response = await _kit.GetAsync("/api/v1/secrets", token);

        response.AssertProblem(HttpStatusCode.NotFound, ApiCodes.NotFound, "OWN_KEY");
        Assert.DoesNotContain(foreignValue, response.Body);
        Assert.DoesNotContain("GLOBEX_KEY", response.Body);
        _app.AssertNeverRevealed(foreignValue);
    }
}
