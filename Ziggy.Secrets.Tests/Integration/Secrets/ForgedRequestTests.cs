using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Integration.Secrets;

/// <summary>Requests a browser of this app would never send: each changes nothing and reveals nothing.</summary>
public class ForgedRequestTests : IAsyncLifetime
{
    private readonly ZiggyAppFactory _app;

    public ForgedRequestTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected ForgedRequestTests(ZiggyAppFactory app) => _app = app;
    private ApplicationUser _owner = null!;
    private Guid _secretId;
    private string _fingerprint = "";

    public async Task InitializeAsync()
    {
        _owner = await _app.SetUpAsync();
        await _app.AddUserAsync(_owner.OrganizationId, "mia@acme.test", Role.Member, "Mia Member");
        using var session = await _app.SignInAsync("owner@acme.test");
        await SecretsUi.CreateAsync(session, "STRIPE_API_KEY", "Olivia's", development: "sk_live_original_value_1", production: "prod-original-value");
        _secretId = await _app.WithDbAsync(db => db.Secrets.Select(s => s.Id).SingleAsync());
        _fingerprint = await FingerprintAsync();
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Everything stored about secrets, so "changed nothing" can be checked byte for byte.</summary>
    private Task<string> FingerprintAsync() => _app.WithDbAsync(async db =>
    {
        var secrets = await db.Secrets.AsNoTracking().Include(s => s.Values).OrderBy(s => s.Name).ToListAsync();
        return string.Join("|", secrets.Select(s => $"{s.Id}:{s.Name}:{s.Description}:{s.OwnerId}:{s.Version}:" +
            string.Join(",", s.Values.OrderBy(v => v.Environment).Select(v => $"{v.Environment}={Convert.ToHexString(v.Ciphertext)}"))));
    });

    /// <summary>An antiforgery token that is valid for <paramref name="session"/> (taken from a page it loaded).</summary>
    private static async Task<string> TokenAsync(TestSession session) =>
        (await session.GetPageAsync("/Secrets")).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

    private async Task<List<HttpResponseMessage>> PostEveryWriteAsync(TestSession session, Guid id, bool withToken = true)
    {
        var token = withToken ? await TokenAsync(session) : null;
        Dictionary<string, string> Fields(params (string, string)[] pairs)
        {
            var fields = pairs.ToDictionary(p => p.Item1, p => p.Item2);
            if (token is not null) fields["__RequestVerificationToken"] = token;
            return fields;
        }

        var responses = new List<HttpResponseMessage>();
        foreach (var htmx in new[] { true, false })
        {
            responses.Add(await session.PostFormAsync($"/Secrets?handler=Save&id={id}",
                Fields(("Input.Name", "HACKED"), ("Input.Description", "x"), ("Input.Version", "1"), ("Input.Development", "attacker-value-1")), htmx));
            responses.Add(await session.PostFormAsync($"/Secrets?handler=Delete&id={id}", Fields(("confirm", "delete")), htmx));
            responses.Add(await session.PostFormAsync($"/Secrets?handler=Transfer&id={id}",
                Fields(("newOwnerId", Guid.NewGuid().ToString()), ("Input.Version", "1")), htmx));
        }

        return responses;
    }

    [Fact]
    public async Task NonOwnerMember_EveryWrite_Is404AndChangesNothing()
    {
        using var mia = await _app.SignInAsync("mia@acme.test");

        var responses = await PostEveryWriteAsync(mia, _secretId);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal(_fingerprint, await FingerprintAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await mia.GetAsync($"/Secrets?handler=Delete&id={_secretId}", htmx: true)).StatusCode);
    }

    [Fact]
    public async Task NonOwnerMember_OpensEditor_SeesBannerAndDisabledFields()
    {
        using var mia = await _app.SignInAsync("mia@acme.test");

        var editor = await SecretsUi.EditPageAsync(mia, _secretId);

        Assert.Equal("Only Olivia Owner can modify this secret", editor.QuerySelector("[data-testid=owner-banner]")!.TextContent.Trim());
        var controls = editor.QuerySelectorAll("#secret-form input:not([type=hidden]):not([readonly]), #secret-form textarea, #secret-form button");
        Assert.NotEmpty(controls);
        Assert.All(controls, c => Assert.True(c.HasAttribute("disabled"), $"{c.OuterHtml} is not disabled"));
        Assert.Null(editor.QuerySelector("form.transfer"));
    }

    [Fact]
    public async Task OtherOrganization_SecretIdAnswers404ExactlyLikeAnUnknownId()
    {
        var globex = await _app.AddOrganizationAsync("Globex");
        await _app.AddUserAsync(globex, "gina@globex.test", Role.SuperAdmin, "Gina");
        using var gina = await _app.SignInAsync("gina@globex.test");

        var real = await PostEveryWriteAsync(gina, _secretId);
        var unknown = await PostEveryWriteAsync(gina, Guid.NewGuid());

        Assert.All(real.Concat(unknown), r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        // Identical answers, but for the per-render antiforgery tokens and CSP nonces.
        static async Task<string> BodyAsync(HttpResponseMessage r) =>
            System.Text.RegularExpressions.Regex.Replace(
                System.Text.RegularExpressions.Regex.Replace(await r.Content.ReadAsStringAsync(), "CfDJ8[A-Za-z0-9_-]+", "TOKEN"),
                "name=\"csp-nonce\" content=\"[^\"]+\"", "NONCE");
        var realBodies = await Task.WhenAll(real.Select(BodyAsync));
        var unknownBodies = await Task.WhenAll(unknown.Select(BodyAsync));
        Assert.Equal(unknownBodies, realBodies);
        Assert.Equal(HttpStatusCode.NotFound, (await gina.GetAsync($"/Secrets?handler=Edit&id={_secretId}", htmx: true)).StatusCode);
        var rows = await (await gina.GetAsync("/Secrets?handler=Rows")).Content.ReadAsStringAsync();
        Assert.Equal("[]", rows);
        Assert.Equal(_fingerprint, await FingerprintAsync());
    }

    [Fact]
    public async Task MissingAntiforgeryToken_Is400AndChangesNothing()
    {
        using var olivia = await _app.SignInAsync("owner@acme.test");

        var responses = await PostEveryWriteAsync(olivia, _secretId, withToken: false);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Equal(_fingerprint, await FingerprintAsync());
    }

    [Fact]
    public async Task Anonymous_EveryWrite_ChangesNothing()
    {
        using var anonymous = _app.CreateSession();
        foreach (var url in new[] { "Save", "Delete", "Transfer" }.Select(h => $"/Secrets?handler={h}&id={_secretId}"))
        {
            var response = await anonymous.PostFormAsync(url, new() { ["confirm"] = "delete" }, htmx: true);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"{url}: {response.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/Secrets?handler=Rows", htmx: true)).StatusCode);
        Assert.Equal(_fingerprint, await FingerprintAsync());
    }

    [Fact]
    public async Task Admin_CanEditAndDeleteSomeoneElsesSecret()
    {
        await _app.AddUserAsync(_owner.OrganizationId, "adam@acme.test", Role.Admin, "Adam Admin");
        using var adam = await _app.SignInAsync("adam@acme.test");

        Assert.Equal(HttpStatusCode.OK, (await SecretsUi.SaveAsync(adam, _secretId, new() { ["Input.Description"] = "edited by admin" })).StatusCode);
        Assert.Equal("edited by admin", await _app.WithDbAsync(db => db.Secrets.Select(s => s.Description).SingleAsync()));
        Assert.Equal(HttpStatusCode.OK, (await SecretsUi.DeleteAsync(adam, _secretId, SecretRules.DeleteConfirmation)).StatusCode);
        Assert.Equal(0, await _app.WithDbAsync(db => db.Secrets.CountAsync()));
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class ForgedRequestTestsOnPostgres() : ForgedRequestTests(new PostgresAppFactory());
