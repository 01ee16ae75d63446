using System.Net;
using AngleSharp.Html.Dom;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>The integration editor as a person uses it: the real forms, antiforgery token included.</summary>
public static class IntegrationsUi
{
    /// <summary>Creates an integration through the real form; answers its id (or null and the page with its errors).</summary>
    public static async Task<(Guid? Id, IHtmlDocument Page)> SaveAsync(TestSession session, string name, string method, string url, string headers = "", string body = "")
    {
        var page = await session.GetPageAsync("/Integrations/Edit");
        page.AssertEveryFieldLabelled();
        var response = await session.SubmitAsync(page.Form("#integration-form"), new()
        {
            ["Input.Name"] = name, ["Input.Method"] = method, ["Input.Url"] = url, ["Input.Headers"] = headers, ["Input.Body"] = body,
        });
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            var location = response.Headers.Location!.ToString();
            var id = Guid.Parse(System.Web.HttpUtility.ParseQueryString(new Uri(new Uri("http://x"), location).Query)["id"]!);
            return (id, await session.GetPageAsync(location));
        }

        return (null, await TestSession.ParseAsync(response));
    }

    /// <summary>Runs a saved integration from its editor's run form, as htmx does; answers the result fragment.</summary>
    public static async Task<IHtmlDocument> RunAsync(TestSession session, Guid id, string environment)
    {
        var page = await session.GetPageAsync($"/Integrations/Edit?id={id}");
        var response = await session.SubmitAsync(page.Form("form.run-form"), new() { ["environment"] = environment }, htmx: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TestSession.ParseAsync(response);
    }
}
