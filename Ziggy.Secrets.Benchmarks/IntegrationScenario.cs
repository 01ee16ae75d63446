using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Text;
using System.Web;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static Ziggy.Secrets.Benchmarks.AppHttp;

namespace Ziggy.Secrets.Benchmarks;

/// <summary>An integration's run beside the same request sent straight to the same stub with HttpClient.</summary>
/// <param name="OutboundMedianMs">The median of the outbound call's time as the app measured and showed it (whole ms).</param>
public sealed record IntegrationFigures(Figures Run, Figures Direct, double OutboundMedianMs)
{
    /// <summary>What the run adds to the direct request at p50: the app's request, secrets resolved and decrypted, the run recorded.</summary>
    public double OverheadMs => Run.P50Ms - Direct.P50Ms;
}

/// <summary>
/// An integration made through the integration editor's form (a POST whose URL, header and body each carry a secret),
/// run from its run form as htmx does, against a stub served by this process on a loopback port. The stub answers 200
/// only when the three values arrive as stored, so a run that sent anything else fails. The app must run with
/// <c>Ziggy__Integrations__AllowPrivateNetworks=true</c> to reach the stub.
/// </summary>
public static class IntegrationScenario
{
    /// <param name="production">Three secrets' names and Production values, as stored.</param>
    public static async Task<IntegrationFigures> RunAsync(HttpClient http, IReadOnlyList<(string Name, string Value)> production, int connections, TimeSpan duration)
    {
        var (query, header, body) = (production[0], production[1], production[2]);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath(), EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var stub = builder.Build();
        var expectedBody = $"{{\"key\":\"{body.Value}\"}}";
        stub.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var received = await reader.ReadToEndAsync();
            var right = context.Request.Query["key"] == query.Value && context.Request.Headers.Authorization == $"Bearer {header.Value}" && received == expectedBody;
            return right ? Results.Text("{\"accepted\":true}", "application/json") : Results.StatusCode(StatusCodes.Status400BadRequest);
        });
        await stub.StartAsync();
        var stubUrl = stub.Urls.Single();

        var editor = await Document(http, "/Integrations/Edit");
        var form = editor.QuerySelector<IHtmlFormElement>("#integration-form")!;
        var fields = form.Elements.OfType<IHtmlInputElement>().Where(e => e.Name is not null && e.Type == "hidden").ToDictionary(e => e.Name!, e => e.Value);
        // Named for this run: a rerun on kept data (--reuse) meets the integrations of earlier runs, and names are unique.
        fields["Input.Name"] = $"Benchmark stub {Guid.NewGuid():N}"[..31];
        fields["Input.Method"] = "POST";
        fields["Input.Url"] = $"{stubUrl}/hook?key={{{{secrets.{query.Name}}}}}";
        fields["Input.Headers"] = $"Authorization: Bearer {{{{secrets.{header.Name}}}}}";
        fields["Input.Body"] = $"{{\"key\":\"{{{{secrets.{body.Name}}}}}\"}}";
        using var saved = await http.PostAsync(form.Action, new FormUrlEncodedContent(fields));
        if (saved.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"The integration editor refused the stub's integration ({(int)saved.StatusCode}).");
        var location = saved.Headers.Location!.ToString();
        var id = HttpUtility.ParseQueryString(new Uri(new Uri("http://x"), location).Query)["id"]!;
        var runForm = (await Document(http, location)).QuerySelector<IHtmlFormElement>("form.run-form")!;
        var antiforgery = runForm.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        var outbound = new System.Collections.Concurrent.ConcurrentBag<double>();
        var run = await LoadClient.RunAsync("Integration run (htmx run form, 3 secrets, loopback stub)", connections, duration, async _ =>
        {
            using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/Integrations/Edit?handler=Run&id={id}")
            {
                Headers = { { "HX-Request", "true" } },
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = antiforgery, ["environment"] = "Production" }),
            });
            var html = await response.Content.ReadAsStringAsync();
            if (Regex.Match(html, "HTTP 200</strong> in (\\d+) ms") is { Success: true } shown) outbound.Add(double.Parse(shown.Groups[1].Value, CultureInfo.InvariantCulture));
            return LoadClient.Expect(response.StatusCode == HttpStatusCode.OK && html.Contains("HTTP 200", StringComparison.Ordinal));
        });

        using var direct = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 64 });
        var straight = await LoadClient.RunAsync("the same request straight to the stub (HttpClient)", connections, duration, async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{stubUrl}/hook?key={Uri.EscapeDataString(query.Value)}")
            {
                Content = new StringContent(expectedBody, Encoding.UTF8),
            };
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {header.Value}");
            using var response = await direct.SendAsync(request);
            await response.Content.ReadAsStringAsync();
            return LoadClient.Expect(response.StatusCode == HttpStatusCode.OK);
        });
        await stub.StopAsync();
        return new IntegrationFigures(run, straight, Statistics.Median(outbound));
    }
}
