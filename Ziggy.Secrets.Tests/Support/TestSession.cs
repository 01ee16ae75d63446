using System.Net;
using System.Net.Http.Headers;
using AngleSharp;
using AngleSharp.Html.Dom;
using HttpMethod = System.Net.Http.HttpMethod;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// One user's browser, without the browser: keeps cookies, parses pages with AngleSharp and submits the real
/// forms (hidden antiforgery token included), optionally as htmx would.
/// </summary>
public sealed class TestSession(HttpClient client) : IDisposable
{
    public HttpClient Client { get; } = client;

    public async Task<IHtmlDocument> GetPageAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await FollowAsync(await Client.GetAsync(url));
        Assert.True(expected == response.StatusCode, $"GET {url}: expected {expected}, got {response.StatusCode}");
        return await ParseAsync(response);
    }

    public Task<HttpResponseMessage> GetAsync(string url, bool htmx = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (htmx) request.Headers.Add("HX-Request", "true");
        return Client.SendAsync(request);
    }

    /// <summary>Fills <paramref name="values"/> into the form (by field name) and submits it as the browser would.</summary>
    public Task<HttpResponseMessage> SubmitAsync(IHtmlFormElement form, Dictionary<string, string>? values = null, bool htmx = false, IHtmlElement? submitter = null)
    {
        foreach (var (name, value) in values ?? [])
        {
            // A value field of the secret editor has no name until the user types in it (the page's script then
            // names it from data-name): do the same here.
            if (form.Elements[name] is null && form.QuerySelector($"[data-name='{name}']") is { } unnamed) unnamed.SetAttribute("name", name);
            switch (form.Elements[name])
            {
                case IHtmlInputElement { Type: "checkbox" } box: box.IsChecked = value == box.Value || value == "on"; break;
                case IHtmlInputElement input: input.Value = value; break;
                case IHtmlTextAreaElement area: area.Value = value; break;
                case IHtmlSelectElement select:
                    // Like a forged request: a value the select does not offer is still sent.
                    if (select.Options.All(o => o.Value != value))
                    {
                        var option = (IHtmlOptionElement)form.Owner!.CreateElement("option");
                        option.Value = value;
                        select.AddOption(option);
                    }

                    select.Value = value;
                    break;
                case null: throw new InvalidOperationException($"The form has no field named {name}.");
                default: throw new InvalidOperationException($"Cannot fill field {name}.");
            }
        }

        var submission = (submitter is null ? form.GetSubmission() : form.GetSubmission(submitter))
                         ?? throw new InvalidOperationException("The form cannot be submitted.");
        var request = new HttpRequestMessage(new HttpMethod(submission.Method.ToString().ToUpperInvariant()), submission.Target.Href)
        {
            Content = new StreamContent(submission.Body),
        };
        foreach (var header in submission.Headers)
        {
            request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (htmx) request.Headers.Add("HX-Request", "true");
        return Client.SendAsync(request);
    }

    public async Task<IHtmlDocument> SubmitAndFollowAsync(IHtmlFormElement form, Dictionary<string, string>? values = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await FollowAsync(await SubmitAsync(form, values));
        Assert.True(expected == response.StatusCode, $"Submit: expected {expected}, got {response.StatusCode}");
        return await ParseAsync(response);
    }

    public async Task<HttpResponseMessage> PostFormAsync(string url, Dictionary<string, string> fields, bool htmx = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        if (htmx) request.Headers.Add("HX-Request", "true");
        return await Client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> FollowAsync(HttpResponseMessage response)
    {
        for (var hops = 0; hops < 5 && response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther; hops++)
        {
            response = await Client.GetAsync(response.Headers.Location);
        }

        return response;
    }

    public static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var context = BrowsingContext.New(Configuration.Default);
        var document = await context.OpenAsync(r => r.Content(html).Address(response.RequestMessage!.RequestUri!));
        return (IHtmlDocument)document;
    }

    public void Dispose() => Client.Dispose();
}
