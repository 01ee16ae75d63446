using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Tests.Integration.Tokens;

/// <summary>The Access tokens page through its real forms: the picker, field errors, the token shown once, the list and Revoke.</summary>
public class AccessTokenPageTests : IAsyncLifetime
{
    private static readonly string StripeProd = "sk_live_" + Guid.NewGuid().ToString("N");

    private readonly ZiggyAppFactory _app;
    private readonly TokenKit _kit;
    private CurrentUser _olivia = null!;
    private CurrentUser _mia = null!;
    private TestSession _miaSession = null!;

    public AccessTokenPageTests()
        : this(new ZiggyAppFactory())
    {
    }

    protected AccessTokenPageTests(ZiggyAppFactory app)
    {
        _app = app;
        _kit = new TokenKit(app);
    }

    public async Task InitializeAsync()
    {
        var olivia = await _app.SetUpAsync();
        _olivia = CurrentUser.Of(olivia);
        _mia = CurrentUser.Of(await _app.AddUserAsync(olivia.OrganizationId, "mia@acme.test", Role.Member, "Mia Member"));
        await _kit.SecretAsync(_mia, "STRIPE_API_KEY", production: StripeProd);
        await _kit.SecretAsync(_mia, "SENTRY_DSN", production: "https://sentry.example/1");
        await _kit.SecretAsync(_olivia, "ADMIN_KEY", production: "admin-value-123");
        _miaSession = await _app.SignInAsync("mia@acme.test");
    }

    public Task DisposeAsync()
    {
        _miaSession.Dispose();
        _app.Dispose();
        return Task.CompletedTask;
    }

    private static IHtmlFormElement CreateForm(IHtmlDocument page) => page.Form("form.token-form");

    private static IHtmlDocument Pick(IHtmlDocument page, params string[] names)
    {
        foreach (var name in names) page.QuerySelector<IHtmlInputElement>($"[data-testid=pick-{name}]")!.IsChecked = true;
        return page;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Create_ThroughTheForm_ShowsTheTokenOnceAndListsIt(bool htmx)
    {
        var page = await _miaSession.GetPageAsync("/Integrations");
        Assert.NotNull(page.QuerySelector("a[href='/Integrations/Tokens']"));
        page = Pick(await _miaSession.GetPageAsync("/Integrations/Tokens"), "STRIPE_API_KEY");
        page.AssertEveryFieldLabelled();
        Assert.Equal("90", page.QuerySelector<IHtmlInputElement>("[name='Input.ExpiresInDays']")!.Value);

        var response = await _miaSession.SubmitAsync(CreateForm(page), new() { ["Input.Purpose"] = "billing-worker", ["Input.Environment"] = "Production" }, htmx);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var shown = await TestSession.ParseAsync(response);
        var token = shown.QuerySelector<IHtmlInputElement>("[data-testid=new-token]")!.Value;
        Assert.Matches("^zgs_[A-Za-z0-9_-]{43}$", token);
        Assert.Contains("shown only this once", shown.Text());
        Assert.NotNull(shown.QuerySelector("button[data-copy=new-token]"));
        Assert.Equal(StripeProd, (await _kit.GetAsync("/api/v1/secrets", token)).Values()["STRIPE_API_KEY"]);

        // Never again: not on the page, not in the list.
        var later = await _miaSession.GetPageAsync("/Integrations/Tokens");
        Assert.DoesNotContain(token, later.Source.Text);
        var row = Assert.Single(later.QuerySelectorAll("[data-testid=token-row]")).TextContent;
        foreach (var part in new[] { "billing-worker", "Production", "STRIPE_API_KEY", "Mia Member", "Active" }) Assert.Contains(part, row);
        Assert.DoesNotContain("never", later.QuerySelector("[data-testid=token-row] .last-used")!.TextContent);
        Assert.DoesNotContain(StripeProd, later.Source.Text);
    }

    [Fact]
    public async Task Picker_OffersOnlySecretsTheMemberMayChange_AndFiltersWithoutJavaScript()
    {
        var page = await _miaSession.GetPageAsync("/Integrations/Tokens");
        Assert.NotNull(page.QuerySelector("[data-testid=pick-STRIPE_API_KEY]"));
        Assert.NotNull(page.QuerySelector("[data-testid=pick-SENTRY_DSN]"));
        Assert.Null(page.QuerySelector("[data-testid=pick-ADMIN_KEY]"));

        // The Filter button submits the form as a GET: the search narrows the list, what was typed stays.
        var filterButton = page.QuerySelector<IHtmlButtonElement>("[data-picker-filter]")!;
        Pick(page, "SENTRY_DSN");
        var response = await _miaSession.SubmitAsync(CreateForm(page), new() { ["Q"] = "stripe", ["Input.Purpose"] = "ci" }, submitter: filterButton);
        var filtered = await TestSession.ParseAsync(response);
        Assert.NotNull(filtered.QuerySelector("[data-testid=pick-STRIPE_API_KEY]"));
        // A chosen secret stays in view (and chosen) whatever the search.
        Assert.True(filtered.QuerySelector<IHtmlInputElement>("[data-testid=pick-SENTRY_DSN]")!.IsChecked);
        Assert.Equal("ci", filtered.QuerySelector<IHtmlInputElement>("[name='Input.Purpose']")!.Value);
        Assert.Equal("", filtered.FieldError("Input.Purpose"));
        Assert.Equal(0, await _app.WithDbAsync(db => db.AccessTokens.CountAsync()));

        var admin = await _app.SignInAsync("owner@acme.test");
        Assert.NotNull((await admin.GetPageAsync("/Integrations/Tokens")).QuerySelector("[data-testid=pick-ADMIN_KEY]"));
    }

    [Fact]
    public async Task Create_BadInput_ErrorsNextToTheFields()
    {
        var page = await _miaSession.GetPageAsync("/Integrations/Tokens");
        var response = await _miaSession.SubmitAsync(CreateForm(page),
            new() { ["Input.Purpose"] = "", ["Input.ExpiresInDays"] = "400", ["Input.Networks"] = "10.1.2.3/16" }, htmx: true);

        var shown = await TestSession.ParseAsync(response);
        Assert.Equal("Enter what the token is for, such as billing-worker.", shown.FieldError("Input.Purpose"));
        Assert.Equal("Choose one environment: Development, Staging or Production.", shown.FieldError("Input.Environment"));
        Assert.Equal("Choose at least one secret.", shown.FieldError("Input.SecretIds"));
        Assert.Equal("A token is valid for 1 to 365 days.", shown.FieldError("Input.ExpiresInDays"));
        Assert.Equal("10.1.2.3/16 is an address inside a network, not the network itself: write 10.1.0.0/16.", shown.FieldError("Input.Networks"));

        // A number that is not a number, and a forged id of a secret Mia may not change.
        var adminKey = await _kit.IdOfAsync("ADMIN_KEY");
        page = await _miaSession.GetPageAsync("/Integrations/Tokens");
        var forged = await _miaSession.PostFormAsync("/Integrations/Tokens?handler=Create", new()
        {
            ["__RequestVerificationToken"] = page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value,
            ["Input.Purpose"] = "steal", ["Input.Environment"] = "Production", ["Input.ExpiresInDays"] = "30", ["Input.SecretIds"] = adminKey.ToString(),
        });
        Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        Assert.Equal("You may not change ADMIN_KEY, so a token of yours cannot carry it.", (await TestSession.ParseAsync(forged)).FieldError("Input.SecretIds"));
        Assert.Equal(0, await _app.WithDbAsync(db => db.AccessTokens.CountAsync()));
    }

    [Fact]
    public async Task Revoke_ThroughTheList_StopsTheTokenAndOthersCannot()
    {
        var token = await _kit.CreateAsync(_mia, "Production", "STRIPE_API_KEY");
        var olivias = await _kit.TryCreateAsync(_olivia, "Production", ["ADMIN_KEY"]);
        var page = await _miaSession.GetPageAsync("/Integrations/Tokens");
        // Mia sees her own token only.
        Assert.Single(page.QuerySelectorAll("[data-testid=token-row]"));

        // Olivia's token is out of Mia's reach, whatever id she posts.
        var antiforgery = page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var forged = await _miaSession.PostFormAsync($"/Integrations/Tokens?handler=Revoke&id={olivias.Value!.Id}", new() { ["__RequestVerificationToken"] = antiforgery });
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _kit.GetAsync("/api/v1/secrets", olivias.Value.Token)).Status);

        var response = await _miaSession.SubmitAsync(page.Form("[data-testid=token-row] form"), htmx: true);
        var shown = await TestSession.ParseAsync(response);
        Assert.Contains("Revoked", shown.QuerySelector("[data-testid=token-row] .status")!.TextContent);
        Assert.Null(shown.QuerySelector("[data-testid=token-row] form"));
        (await _kit.GetAsync("/api/v1/secrets", token)).AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenRevoked);

        // The admin sees both, and may revoke Olivia's as well.
        using var admin = await _app.SignInAsync("owner@acme.test");
        var adminPage = await admin.GetPageAsync("/Integrations/Tokens");
        Assert.Equal(2, adminPage.QuerySelectorAll("[data-testid=token-row]").Length);
        await admin.SubmitAndFollowAsync(adminPage.Form("[data-testid=token-row] form"));
        (await _kit.GetAsync("/api/v1/secrets", olivias.Value.Token)).AssertProblem(HttpStatusCode.Unauthorized, ApiCodes.TokenRevoked);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class AccessTokenPageTestsOnPostgres() : AccessTokenPageTests(new PostgresAppFactory());
