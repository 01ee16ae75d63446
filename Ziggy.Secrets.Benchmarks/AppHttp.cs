using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Ziggy.Secrets.Benchmarks;

/// <summary>Requests to the app as its pages send them, shared by the scenarios.</summary>
public static class AppHttp
{
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task<bool> Healthy(HttpClient http)
    {
        try { return (await http.GetAsync("/healthz")).IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
    }

    public static async Task<IHtmlDocument> Document(HttpClient http, string url)
    {
        var html = await http.GetStringAsync(url);
        return (IHtmlDocument)await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(html).Address(new Uri(http.BaseAddress!, url)));
    }

    public static async Task Post(HttpClient http, IHtmlDocument page, string selector, Dictionary<string, string> values)
    {
        var form = page.QuerySelector<IHtmlFormElement>(selector)!;
        var fields = form.Elements.OfType<IHtmlInputElement>().Where(e => e.Name is not null && e.Type == "hidden").ToDictionary(e => e.Name!, e => e.Value);
        foreach (var (k, v) in values) fields[k] = v;
        using var response = await http.PostAsync(form.Action, new FormUrlEncodedContent(fields));
    }

    public static async Task<Answer> Fetch(HttpClient http, string url, bool htmx = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (htmx) request.Headers.Add("HX-Request", "true");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        if (response.StatusCode != HttpStatusCode.OK) FailedAnswers.AddOrUpdate($"{(int)response.StatusCode} to GET {url.Split('?')[0]}", 1, (_, n) => n + 1);
        return LoadClient.Expect(response.StatusCode == HttpStatusCode.OK);
    }

    /// <summary>How many answers other than 200 each GET sent by <see cref="Fetch"/> got, by status and path.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> FailedAnswers = new();

    /// <summary>The failed answers <see cref="Fetch"/> saw, for a report: empty when there were none.</summary>
    public static string FailedAnswersLine() =>
        FailedAnswers.IsEmpty ? "" : "Failed answers: " + string.Join(", ", FailedAnswers.OrderBy(f => f.Key).Select(f => $"{f.Value:N0} x {f.Key}")) + ".";

    // 304 is the expected answer; a 200 is a good answer but a full one, and its ETag is the one to send next time.
    public static async Task<Answer> Revalidate(HttpClient http, string url, EntityTagHeaderValue?[] etags, int connection)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (etags[connection] is { } etag) request.Headers.IfNoneMatch.Add(etag);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        if (response.StatusCode == HttpStatusCode.NotModified) return Answer.Expected;
        if (response.StatusCode != HttpStatusCode.OK) return Answer.Failed;
        etags[connection] = response.Headers.ETag;
        return Answer.Unexpected;
    }

    public static async Task<int> EditPartialLength(HttpClient http, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/Secrets?handler=Edit&id={id}") { Headers = { { "HX-Request", "true" } } };
        using var response = await http.SendAsync(request);
        return (await response.Content.ReadAsByteArrayAsync()).Length;
    }

    public static async Task<int> Version(HttpClient http, string id)
    {
        var html = await http.GetStringAsync($"/Secrets?handler=Edit&id={id}");
        return int.Parse(Regex.Match(html, "name=\"Input.Version\" value=\"(\\d+)\"").Groups[1].Value, CultureInfo.InvariantCulture);
    }

    public static double PeakRssMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(Regex.Match(line, "\\d+").Value, CultureInfo.InvariantCulture) / 1024;
    }
}
