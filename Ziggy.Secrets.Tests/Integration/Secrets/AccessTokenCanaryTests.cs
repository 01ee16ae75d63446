using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>
/// Values read through access tokens leave only in the API's answers to a valid token: never in a page, the token list,
/// a refusal, a log line, an audit row or the database file. The token itself is shown once and then nowhere: not in a
/// log line, an audit row or the database.
/// </summary>
public sealed class AccessTokenCanaryTests : IDisposable
{
    private static readonly string[] Canaries =
    [
        "CANARY-dev-" + Guid.NewGuid().ToString("N"),
        "CANARY-stg-" + Guid.NewGuid().ToString("N") + "/+=&<\"'>",
        "CANARY-prd-" + Guid.NewGuid().ToString("N") + "-пароль-🔑",
    ];

    private readonly ZiggyAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Canaries_ReadThroughTokens_OnlyInTheApisAnswersToValidTokens()
    {
        var owner = await _app.SetUpAsync();
        await _app.AddUserAsync(owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var olivia = await _app.SignInAsync("owner@acme.test");
        using var mia = await _app.SignInAsync("mia@acme.test");
        await SecretsUi.CreateAsync(olivia, "STRIPE_API_KEY", "", Canaries[0], Canaries[1], Canaries[2]);
        await SecretsUi.CreateAsync(olivia, "DEV_ONLY", "", Canaries[0]);

        // One token per environment, made through the page; each is shown once, in the answer to the form.
        var tokens = new Dictionary<string, string>();
        foreach (var environment in new[] { "Development", "Staging", "Production" })
        {
            var page = await olivia.GetPageAsync("/Integrations/Tokens");
            page.QuerySelector<IHtmlInputElement>("[data-testid=pick-STRIPE_API_KEY]")!.IsChecked = true;
            if (environment == "Production") page.QuerySelector<IHtmlInputElement>("[data-testid=pick-DEV_ONLY]")!.IsChecked = true;
            var created = await TestSession.ParseAsync(await olivia.SubmitAsync(page.Form("form.token-form"),
                new() { ["Input.Purpose"] = "worker-" + environment, ["Input.Environment"] = environment }, htmx: true));
            tokens[environment] = created.QuerySelector<IHtmlInputElement>("[data-testid=new-token]")!.Value;
        }

        // The program's own client: its answers are the one place values may appear (not recorded with the pages).
        var kit = new TokenKit(_app);
        Assert.Equal(Canaries[0], (await kit.GetAsync("/api/v1/secrets", tokens["Development"])).Values()["STRIPE_API_KEY"]);
        Assert.Equal(Canaries[1], (await kit.GetAsync("/api/v1/secrets/STRIPE_API_KEY", tokens["Staging"])).Values()["STRIPE_API_KEY"]);
        var refusals = new List<ApiResponse>
        {
            await kit.GetAsync("/api/v1/secrets", tokens["Production"]),                   // DEV_ONLY has no Production value
            await kit.GetAsync("/api/v1/secrets/DEV_ONLY", tokens["Development"]),         // out of scope
            await kit.GetAsync("/api/v1/secrets", tokens["Development"][..^1] + "x"),      // unknown
        };
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized], refusals.Select(r => r.Status));
        foreach (var canary in Canaries) Assert.DoesNotContain(refusals, r => r.Body.Contains(canary) || r.Body.Contains(JsonSerializer.Serialize(canary).Trim('"')));

        // Every page that shows tokens, secrets or the audit trail, as the Admin and as a Member.
        foreach (var session in new[] { olivia, mia })
        {
            await session.GetAsync("/Integrations/Tokens");
            await session.GetAsync("/Integrations/Tokens?Q=STRIPE");
            await session.GetAsync("/Integrations");
            await session.GetAsync("/Secrets");
            await session.GetAsync("/Secrets?handler=Rows");
            await session.GetAsync("/Audit?handler=Rows");
            // A signed-in session asking the API gets nothing.
            await session.GetAsync("/api/v1/secrets");
        }

        // The scans can see what is there.
        Assert.Contains(_app.Responses, r => r.Contains("worker-Production"));
        Assert.Contains(_app.Responses, r => r.Contains("Access token used"));
        foreach (var canary in Canaries) _app.AssertNeverRevealed(canary);

        // The tokens: shown once in the creation answer, then in no log line, audit row or database page.
        var audit = await _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().Select(e => e.Details + e.SecretName + e.ActorName + e.TargetName).ToListAsync());
        foreach (var token in tokens.Values)
        {
            Assert.Single(_app.Responses, r => r.Contains(token, StringComparison.Ordinal));
            Assert.DoesNotContain(_app.LogLines, l => l.Contains(token, StringComparison.Ordinal) || l.Contains(token[4..], StringComparison.Ordinal));
            Assert.DoesNotContain(audit, a => a.Contains(token[4..], StringComparison.Ordinal));
            SqliteFileAssert.DoesNotContain(_app.DatabasePath, token);
            SqliteFileAssert.DoesNotContain(_app.DatabasePath, token[4..]);
        }

        // Two successful reads decrypted one value each; refusals decrypted nothing.
        Assert.Equal(2, _app.Services.GetRequiredService<ISecretCipher>().DecryptCount);
    }
}
