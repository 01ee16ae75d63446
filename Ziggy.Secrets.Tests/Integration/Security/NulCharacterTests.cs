using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Hosting;

namespace Ziggy.Secrets.Tests.Integration.Security;

/// <summary>
/// A NUL character in a field (as a browser sends it, %00, or raw in a multipart body) is answered next to that field,
/// not with the page-level "form is too large or malformed" refusal; and nothing is stored.
/// </summary>
public sealed class NulCharacterTests : IDisposable
{
    private readonly ZiggyAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private async Task<(TestSession Session, string Token)> OwnerAsync()
    {
        await _app.SetUpAsync();
        var session = await _app.SignInAsync("owner@acme.test");
        var page = await session.GetPageAsync("/Secrets");
        return (session, page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value);
    }

    private static async Task<HttpResponseMessage> PostAsync(TestSession session, string url, Dictionary<string, string> fields, bool multipart, bool htmx = false)
    {
        HttpContent content;
        if (multipart)
        {
            var parts = new MultipartFormDataContent();
            foreach (var (name, value) in fields) parts.Add(new StringContent(value), name);
            content = parts;
        }
        else content = new FormUrlEncodedContent(fields);

        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (htmx) request.Headers.Add("HX-Request", "true");
        var response = await session.Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>An htmx answer of out-of-band error slots, parsed.</summary>
    private static async Task<IDocument> FragmentAsync(HttpResponseMessage response) =>
        await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(response.Content.ReadAsStringAsync().Result));

    public static TheoryData<string, bool> SecretFields => new()
    {
        { "Name", false }, { "Name", true }, { "Description", false }, { "Development", false }, { "Production", true },
    };

    [Theory]
    [MemberData(nameof(SecretFields))]
    public async Task CreateSecret_NulInAField_ItsOwnMessageNextToItAndNothingStored(string field, bool multipart)
    {
        var (session, token) = await OwnerAsync();
        using var _ = session;
        var fields = new Dictionary<string, string>
        {
            ["Input.Name"] = "STRIPE_API_KEY", ["Input.Description"] = "d", ["Input.Development"] = "value-1234567890", ["__RequestVerificationToken"] = token,
        };
        fields[$"Input.{field}"] = "before\0after";

        var htmx = await PostAsync(session, "/Secrets?handler=Create", fields, multipart, htmx: true);
        Assert.Equal(HttpStatusCode.OK, htmx.StatusCode);
        Assert.Equal(NulCharacterValidation.Message, (await FragmentAsync(htmx)).QuerySelector($"#Input_{field}-error")?.TextContent.Trim());

        var plain = await PostAsync(session, "/Secrets?handler=Create", fields, multipart);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(NulCharacterValidation.Message, (await TestSession.ParseAsync(plain)).QuerySelector($"#Input_{field}-error")?.TextContent.Trim());

        Assert.Equal(0, await _app.WithDbAsync(db => db.Secrets.CountAsync()));
    }

    [Fact]
    public async Task SignIn_NulInEmail_ItsOwnMessageNextToIt()
    {
        await _app.SetUpAsync();
        using var session = _app.CreateSession();
        var page = await session.GetPageAsync("/Account/SignIn");

        var answer = await session.SubmitAndFollowAsync(page.Form(), new() { ["Input.Email"] = "owner@acme.test\0", ["Input.Password"] = ZiggyAppFactory.Password });

        Assert.Equal(NulCharacterValidation.Message, answer.FieldError("Input.Email"));
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/Secrets")).StatusCode);
    }

    [Theory]
    [InlineData("Invite.Email", "mia\0@acme.test")]
    [InlineData("Invite.Role", "Member\0")]
    public async Task Invite_NulInAField_ItsOwnMessageNextToIt(string field, string value)
    {
        var (session, _) = await OwnerAsync();
        using var __ = session;
        var team = await session.GetPageAsync("/Team");
        var values = new Dictionary<string, string> { ["Invite.Email"] = "mia@acme.test", ["Invite.Role"] = "Member" };
        values[field] = value;

        var answer = await session.SubmitAndFollowAsync(team.Form("form.invite"), values);

        Assert.Equal(NulCharacterValidation.Message, answer.FieldError(field));
        Assert.Equal(0, await _app.WithDbAsync(db => db.Invitations.CountAsync()));
    }

    [Fact]
    public async Task SaveIntegration_NulInUrl_ItsOwnMessageNextToIt()
    {
        var (session, _) = await OwnerAsync();
        using var __ = session;
        var page = await session.GetPageAsync("/Integrations/Edit");

        var answer = await session.SubmitAndFollowAsync(page.Form("form[action*='handler=Save']"),
            new() { ["Input.Name"] = "Charge", ["Input.Url"] = "https://api.example.test/\0" });

        Assert.Equal(NulCharacterValidation.Message, answer.FieldError("Input.Url"));
        Assert.Equal(0, await _app.WithDbAsync(db => db.Integrations.CountAsync()));
    }

    [Fact]
    public async Task Form_NulAndTooManyFields_StillRefusedAsMalformed()
    {
        var (session, token) = await OwnerAsync();
        using var _ = session;
        var fields = Enumerable.Range(0, Web.Hosting.WebRegistration.FormValueCountLimit + 100).ToDictionary(i => $"x{i}", _ => "many");
        fields["Input.Name"] = "A\0B";
        fields["__RequestVerificationToken"] = token;

        var response = await PostAsync(session, "/Secrets?handler=Create", fields, multipart: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("too large or malformed", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Form_NulOnlyInAFieldNoPageReads_IsIgnoredLikeAnyUnknownField()
    {
        var (session, token) = await OwnerAsync();
        using var _ = session;

        var response = await PostAsync(session, "/Secrets?handler=Create", new()
        {
            ["Input.Name"] = "STRIPE_API_KEY", ["Input.Development"] = "value-1234567890", ["unknown"] = "\0", ["__RequestVerificationToken"] = token,
        }, multipart: false);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(1, await _app.WithDbAsync(db => db.Secrets.CountAsync()));
    }
}
