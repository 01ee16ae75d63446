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

    /// <summary>
    /// Opens the response of the history row <paramref name="row"/> (0: the newest) of <paramref name="history"/> (the
    /// editor or a run's answer) as htmx does when the row is opened: a GET of the address the row names.
    /// </summary>
    public static async Task<IHtmlDocument> OpenHistoryResponseAsync(TestSession session, IHtmlDocument history, int row)
    {
        var response = await session.GetAsync(HistoryResponseUrl(history, row), htmx: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "A run's response must not be kept by the browser or a proxy.");
        return await TestSession.ParseAsync(response);
    }

    /// <summary>The address from which the history row <paramref name="row"/> loads its response.</summary>
    public static string HistoryResponseUrl(IHtmlDocument history, int row)
    {
        var url = history.QuerySelectorAll("tr[data-run]")[row].QuerySelector("[data-testid=history-response]")!.GetAttribute("hx-get");
        Assert.False(string.IsNullOrEmpty(url), "The history row names no address for its response.");
        return url!;
    }
}
