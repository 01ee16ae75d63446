using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>Drives the Secrets page's real forms (Add Secret, edit, delete) the way a browser would.</summary>
public static class SecretsUi
{
    public static async Task<HttpResponseMessage> CreateAsync(TestSession session, string name, string description = "",
        string? development = null, string? staging = null, string? production = null, bool htmx = false)
    {
        var page = await session.GetPageAsync("/Secrets?handler=New");
        var values = new Dictionary<string, string> { ["Input.Name"] = name, ["Input.Description"] = description };
        if (development is not null) values["Input.Development"] = development;
        if (staging is not null) values["Input.Staging"] = staging;
        if (production is not null) values["Input.Production"] = production;
        return await session.SubmitAsync(page.Form("#secret-form"), values, htmx);
    }

    public static Task<IHtmlDocument> EditPageAsync(TestSession session, Guid id) => session.GetPageAsync($"/Secrets?handler=Edit&id={id}");

    /// <summary>Opens the editor and submits it with only <paramref name="values"/> touched (as the dirty tracking does).</summary>
    public static async Task<HttpResponseMessage> SaveAsync(TestSession session, Guid id, Dictionary<string, string> values, bool htmx = true)
    {
        var page = await EditPageAsync(session, id);
        return await session.SubmitAsync(page.Form("#secret-form"), values, htmx);
    }

    public static async Task<HttpResponseMessage> DeleteAsync(TestSession session, Guid id, string? confirm, bool htmx = true)
    {
        var editor = await EditPageAsync(session, id);
        var token = editor.QuerySelector<IHtmlInputElement>("#secret-form input[name=__RequestVerificationToken]")!.Value;
        var fields = new Dictionary<string, string> { ["__RequestVerificationToken"] = token };
        if (confirm is not null) fields["confirm"] = confirm;
        return await session.PostFormAsync($"/Secrets?handler=Delete&id={id}", fields, htmx);
    }

    public static string MaskShown(IHtmlDocument editor, string environment) =>
        editor.QuerySelector($"[data-testid=mask-{environment}]")?.TextContent.Trim() ?? "";

    /// <summary>Does what htmx does with a refused save's answer: each out-of-band element replaces the page's element of the same id.</summary>
    public static async Task ApplyOutOfBandAsync(IHtmlDocument page, HttpResponseMessage response)
    {
        var fragment = await TestSession.ParseAsync(response);
        foreach (var element in fragment.QuerySelectorAll("[hx-swap-oob][id]"))
        {
            if (page.GetElementById(element.Id!) is { } target) target.OuterHtml = element.OuterHtml;
        }
    }

    /// <summary>The message htmx would place next to a field (the out-of-band slot of that field).</summary>
    public static async Task<string> OutOfBandErrorAsync(HttpResponseMessage response, string slotId)
    {
        var fragment = await TestSession.ParseAsync(response);
        return fragment.QuerySelector($"#{slotId}[hx-swap-oob]")?.TextContent.Trim() ?? "";
    }
}
