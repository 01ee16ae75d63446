using System.Net;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Secrets;
using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>
/// The secrets of an API read's token scope, of a bulk change, of a new access token and of the tokens list are found by
/// primary key, whatever the organization's size, and an id of another organization's secret is as if it did not exist,
/// even when a scope row has been made to point at one. The integrations using a secret are found through its name.
/// </summary>
public class SecretsByIdTests : IDisposable
{
    private readonly ZiggyAppFactory _app = new(settings: new() { ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Information" });
    private readonly TokenKit _kit;

    public SecretsByIdTests() => _kit = new TokenKit(_app);

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task ApiRead_BulkChanges_TokenCreation_AndTokensList_LookUpTheChosenSecretsByPrimaryKey_NotByWalkingTheOrganization()
    {
        var owner = CurrentUser.Of(await _app.SetUpAsync());
        for (var i = 0; i < 30; i++) await _kit.SecretAsync(owner, $"KEY_{i:00}", production: $"value-{i:00}");
        var chosen = new List<Guid> { await _kit.IdOfAsync("KEY_03"), await _kit.IdOfAsync("KEY_17") };
        var token = await _kit.CreateAsync(owner, "Production", "KEY_03", "KEY_17", "KEY_29");

        var operations = new (string Name, Func<Task> Run)[]
        {
            ("API read", async () => Assert.Equal(3, (await _kit.GetAsync("/api/v1/secrets", token)).Values().Count)),
            ("bulk delete preview", () => _app.WithServiceAsync<BulkSecretService, Result<BulkSelection>>(s => s.DeletePreviewAsync(owner, chosen))),
            ("bulk transfer", () => _app.WithServiceAsync<BulkSecretService, Result<BulkDone>>(s => s.TransferOwnershipAsync(owner, chosen, owner.UserId))),
            ("token creation", () => _app.WithServiceAsync<AccessTokenService, Result<CreatedAccessToken>>(s =>
                s.CreateAsync(owner, new AccessTokenDraft("billing-worker", "Production", chosen, 90, null)))),
            ("tokens list", () => _app.WithServiceAsync<AccessTokenService, IReadOnlyList<AccessTokenListItem>>(s => s.ListAsync(owner))),
        };
        var walks = new List<string>();
        foreach (var (name, run) in operations)
        {
            _app.LogLines.Clear();
            await run();

            var reads = _app.ExecutedStatements().Where(sql => sql.Contains("FROM \"Secrets\"", StringComparison.Ordinal)).ToList();
            Assert.True(reads.Count > 0, $"{name}: no read of the secrets was logged.");
            foreach (var plan in reads.Select(read => SqliteAdmin.Plan(_app.DatabasePath, read)))
            {
                var byKey = plan.Any(line => line.StartsWith("SEARCH s USING INDEX sqlite_autoindex_Secrets_1 (Id=?)", StringComparison.Ordinal));
                var walk = plan.Any(line => line.Contains("OrganizationId=?", StringComparison.Ordinal) || line.StartsWith("SCAN s", StringComparison.Ordinal));
                if (!byKey || walk) walks.Add($"{name}: {string.Join(" | ", plan)}");
            }
        }

        Assert.Empty(walks);
    }

    [Fact]
    public async Task EditorAndSave_FindTheIntegrationsUsingTheSecretThroughItsName_NotByWalkingTheOrganizationsIntegrations()
    {
        await _app.SetUpAsync();
        using var session = await _app.SignInAsync("owner@acme.test");
        await SecretsUi.CreateAsync(session, "API_KEY", "", development: "dev-value-abcdef");
        await SecretsUi.CreateAsync(session, "OTHER_KEY", "", development: "other-value-abcdef");
        foreach (var (name, secret) in new[] { ("Charge", "API_KEY"), ("billing", "API_KEY"), ("Reports", "OTHER_KEY"), ("Audit", "OTHER_KEY") })
            await IntegrationsUi.SaveAsync(session, name, "GET", "https://api.example.test/v1?k={{secrets." + secret + "}}");
        var id = await _kit.IdOfAsync("API_KEY");

        _app.LogLines.Clear();
        var editor = await SecretsUi.EditPageAsync(session, id);
        var saved = await TestSession.ParseAsync(await session.SubmitAsync(editor.Form("#secret-form"), new() { ["Input.Staging"] = "stg-value-abcdef" }, htmx: true));

        // Only the secret's own integrations, in name order whatever the case.
        Assert.Equal("Used by 2 integrations: billing, Charge", editor.QuerySelector("[data-testid=used-by]")!.TextContent.Trim());
        Assert.Equal("Used by 2 integrations: billing, Charge", saved.QuerySelector("[data-testid=used-by]")!.TextContent.Trim());
        // One look-up for the editor opened and one for the editor shown after the save, each through the name's index.
        var lookUps = _app.ExecutedStatements().Where(sql => sql.Contains("\"IntegrationSecretReferences\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lookUps.Count);
        foreach (var plan in lookUps.Select(sql => SqliteAdmin.Plan(_app.DatabasePath, sql)))
        {
            Assert.Equal("SEARCH i USING INDEX IX_IntegrationSecretReferences_SecretName (SecretName=?)", plan[0]);
            Assert.DoesNotContain(plan, line => line.Contains("OrganizationId=?", StringComparison.Ordinal) || line.StartsWith("SCAN", StringComparison.Ordinal)
                                                || line.StartsWith("MATERIALIZE", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task TokensList_ScopeRowTamperedToPointAtAnotherOrganizationsSecret_ShowsTheStoredNameAsDeleted_NotTheirs()
    {
        var (owner, _, _) = await TamperedScopeAsync();

        var listed = Assert.Single(await _app.WithServiceAsync<AccessTokenService, IReadOnlyList<AccessTokenListItem>>(s => s.ListAsync(owner)));

        Assert.Equal(["OWN_KEY (deleted)"], listed.Secrets);
        Assert.DoesNotContain(listed.Secrets, name => name.Contains("GLOBEX", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_ScopeRowTamperedToPointAtAnotherOrganizationsSecret_IsNotFound_AndShowsNothingOfIt()
    {
        var (_, token, foreignValue) = await TamperedScopeAsync();

        var response = await _kit.GetAsync("/api/v1/secrets", token);

        response.AssertProblem(HttpStatusCode.NotFound, ApiCodes.NotFound, "OWN_KEY");
        Assert.DoesNotContain(foreignValue, response.Body);
        Assert.DoesNotContain("GLOBEX_KEY", response.Body);
        _app.AssertNeverRevealed(foreignValue);
    }

    /// <summary>
    /// Acme's owner with a token for OWN_KEY, and Globex's GLOBEX_KEY; then someone with the database file in hand points
    /// the token's scope at Globex's secret. Answers the owner, the token and GLOBEX_KEY's value.
    /// </summary>
    private async Task<(CurrentUser Owner, string Token, string ForeignValue)> TamperedScopeAsync()
    {
        var owner = CurrentUser.Of(await _app.SetUpAsync());
        await _kit.SecretAsync(owner, "OWN_KEY", production: "own-value-" + Guid.NewGuid().ToString("N"));
        var globex = await _app.AddOrganizationAsync("Globex");
        var olga = CurrentUser.Of(await _app.AddUserAsync(globex, "oa@globex.test", Role.Admin, "Olga"));
        var foreignValue = "globex-value-" + Guid.NewGuid().ToString("N");
        var foreign = await _kit.SecretAsync(olga, "GLOBEX_KEY", production: foreignValue);
        var token = await _kit.CreateAsync(owner, "Production", "OWN_KEY");
        var own = await _kit.IdOfAsync("OWN_KEY");

        Assert.Equal(1, SqliteAdmin.Execute(_app.DatabasePath, "UPDATE AccessTokenSecrets SET SecretId = $foreign WHERE SecretId = $own",
            ("$foreign", SqliteAdmin.Text(foreign)), ("$own", SqliteAdmin.Text(own))));
        return (owner, token, foreignValue);
    }
}
