using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Ziggy.Secrets.Benchmarks;

/// <summary>
/// One timed request of an import round: its wall time as the client saw it (send to last byte read), its status, and
/// why its answer was wrong (null when the answer was checked and right). A wrong answer is a failure, never a time.
/// </summary>
public sealed record ImportStep(double Ms, HttpStatusCode Status, string? Failure)
{
    public bool Passed => Failure is null;
}

/// <summary>
/// A preview and an apply of one import of <see cref="ImportScenario.Entries"/> entries. <paramref name="SecretsBefore"/>:
/// how many secrets the organization held before (the preview reads them all); <paramref name="Verified"/>: how the
/// written rows were checked afterwards.
/// </summary>
public sealed record ImportRound(string Label, bool Updates, int SecretsBefore, ImportStep Preview, ImportStep Apply, string Verified)
{
    public bool Passed => Preview.Passed && Apply.Passed;
}

public sealed record ImportFigures(IReadOnlyList<ImportRound> Rounds)
{
    public IEnumerable<ImportRound> Creating => Rounds.Where(r => !r.Updates);

    /// <summary>Medians of the rounds that create, over passed steps only; NaN when none passed.</summary>
    public double PreviewMedianMs => Statistics.Median(Creating.Where(r => r.Preview.Passed).Select(r => r.Preview.Ms));

    public double ApplyMedianMs => Statistics.Median(Creating.Where(r => r.Passed).Select(r => r.Apply.Ms));

    public int Failed => Rounds.Count(r => !r.Passed);

    public string ToMarkdown()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("| round | secrets before | preview ms | preview answer | apply ms | apply answer | checked |");
        text.AppendLine("|---|---:|---:|---|---:|---|---|");
        foreach (var r in Rounds)
            text.AppendLine($"| {r.Label} | {r.SecretsBefore:N0} | {Ms(r.Preview)} | {Said(r.Preview)} | {Ms(r.Apply)} | {Said(r.Apply)} | {r.Verified} |");
        return text.ToString();

        static string Ms(ImportStep s) => s.Passed ? s.Ms.ToString("N0") : "failed";
        static string Said(ImportStep s) => $"{(int)s.Status}{(s.Failure is null ? "" : ": " + s.Failure)}";
    }
}

/// <summary>
/// The import dialog as a browser drives it: a dotenv text of 5,000 lines posted to Preview, then the same text, the
/// preview's token and every checked row posted to Apply, both with <c>HX-Request</c> as htmx sends them. Each creating
/// round uses names of its own, so every apply creates 5,000 secrets; the last round imports the first round's names
/// again with new values, so every row is an update.
/// </summary>
public static class ImportScenario
{
    public const int Entries = 5_000;
    private const string Environment = "Development";

    /// <param name="runTag">Part of every imported name (as <c>IMPORT_&lt;tag&gt;R1_0000</c>), so that runs on kept data never meet earlier runs' names.</param>
    public static async Task<ImportFigures> RunAsync(HttpClient http, string antiforgery, int creatingRounds, string runTag = "")
    {
        var rounds = new List<ImportRound>();
        string? firstPrefix = null;
        for (var r = 1; r <= creatingRounds; r++)
        {
            var prefix = $"IMPORT_{runTag}R{r}_";
            firstPrefix ??= prefix;
            rounds.Add(await RoundAsync(http, antiforgery, $"{r}: create {Entries:N0}", prefix, updates: false));
        }

        // Only when the first round's secrets exist: otherwise it would measure creates again under another label.
        if (firstPrefix is not null && rounds[0].Passed)
            rounds.Add(await RoundAsync(http, antiforgery, $"{creatingRounds + 1}: update the {Entries:N0} of round 1", firstPrefix, updates: true));
        return new ImportFigures(rounds);
    }

    private static async Task<ImportRound> RoundAsync(HttpClient http, string antiforgery, string label, string prefix, bool updates)
    {
        var before = (await RowsAsync(http)).Count;
        // Distinct names, values of 40 characters as API keys are, fresh on every round (an update changes every value).
        var text = string.Join('\n', Enumerable.Range(0, Entries).Select(i => $"{prefix}{i:D4}=sk_live_{RandomNumberGenerator.GetHexString(32, lowercase: true)}"));
        var expected = updates ? "Update" : "Create";
        var (preview, previewHtml) = await PostAsync(http, "Preview", Fields(antiforgery, text));
        string? token = null;
        List<string> selected = [];
        if (preview.Passed)
        {
            var page = await ParseAsync(previewHtml);
            token = page.QuerySelector<IHtmlInputElement>("input[name='Input.Token']")?.Value;
            var rows = page.QuerySelectorAll("tr[data-name]").ToList();
            // What a browser would post: the checked, enabled boxes.
            selected = page.QuerySelectorAll<IHtmlInputElement>("input[name='Input.Selected']").Where(b => b.IsChecked && !b.IsDisabled).Select(b => b.Value).ToList();
            var wrongAction = rows.Count(row => row.GetAttribute("data-action") != expected);
            preview = preview with
            {
                Failure = string.IsNullOrEmpty(token) ? "no preview token in the answer"
                    : rows.Count != Entries ? $"{rows.Count:N0} rows, not {Entries:N0}"
                    : wrongAction > 0 ? $"{wrongAction:N0} rows not \"{expected}\""
                    : selected.Count != Entries ? $"{selected.Count:N0} rows checked, not {Entries:N0}"
                    : null,
            };
        }

        if (!preview.Passed)
            return new ImportRound(label, updates, before, preview, new ImportStep(double.NaN, 0, "not sent: the preview failed"), "not checked");

        var applyFields = Fields(antiforgery, text);
        applyFields.Add(new("Input.Token", token!));
        applyFields.AddRange(selected.Select(n => new KeyValuePair<string, string>("Input.Selected", n)));
        var (apply, applyHtml) = await PostAsync(http, "Apply", applyFields);
        var verified = "not checked";
        if (apply.Passed)
        {
            var outcome = (await ParseAsync(applyHtml)).QuerySelector("[data-testid=import-outcome]")?.TextContent ?? "";
            var said = updates ? $"0 created, {Entries} updated" : $"{Entries} created, 0 updated";
            // Checked through the app's own answers: the grid's rows, and a second preview of the same text, which finds
            // every stored value's fingerprint equal to the one imported.
            var rows = (await RowsAsync(http)).Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            var withValue = rows.Count(r => r.Dev);
            var (again, againHtml) = await PostAsync(http, "Preview", Fields(antiforgery, text));
            var unchanged = again.Passed ? (await ParseAsync(againHtml)).QuerySelectorAll("tr[data-action=Unchanged]").Length : -1;
            verified = $"{rows.Count:N0} rows named {prefix}*, {withValue:N0} with a {Environment} value; previewed again: {unchanged:N0} unchanged";
            apply = apply with
            {
                Failure = !outcome.Contains(said, StringComparison.Ordinal) ? $"the outcome does not say \"{said}\""
                    : rows.Count != Entries || withValue != Entries || unchanged != Entries ? "not every entry was written"
                    : null,
            };
        }

        return new ImportRound(label, updates, before, preview, apply, verified);
    }

    private static List<KeyValuePair<string, string>> Fields(string antiforgery, string text) =>
    [
        new("__RequestVerificationToken", antiforgery), new("Input.Text", text), new("Input.Environment", Environment), new("Input.Format", "Auto"),
    ];

    /// <summary>One post timed from sending to the answer's last byte; anything but a 200 is a failure.</summary>
    private static async Task<(ImportStep Step, string Html)> PostAsync(HttpClient http, string handler, List<KeyValuePair<string, string>> fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/Secrets/Import?handler={handler}") { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("HX-Request", "true");
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var html = await response.Content.ReadAsStringAsync();
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            // A refusal answers 200 too, with field errors instead of the partial: the checks above catch it.
            var failure = response.StatusCode != HttpStatusCode.OK ? $"status {(int)response.StatusCode}"
                : response.Headers.TryGetValues("HX-Reswap", out var reswap) && reswap.Contains("none") ? $"refused: {Refusal(html)}"
                : null;
            return (new ImportStep(ms, response.StatusCode, failure), html);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (new ImportStep(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 0, $"no answer ({e.GetType().Name})"), "");
        }
    }

    private static string Refusal(string html) => Regex.Replace(Regex.Replace(html, "<[^>]+>", " "), "\\s+", " ").Trim() is { Length: > 0 } t ? t[..Math.Min(200, t.Length)] : "no message";

    private sealed record Row(string Name, bool Dev);

    private static async Task<List<Row>> RowsAsync(HttpClient http) =>
        JsonSerializer.Deserialize<List<Row>>(await http.GetStringAsync("/Secrets?handler=Rows"), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    private static async Task<IHtmlDocument> ParseAsync(string html) =>
        (IHtmlDocument)await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(html));
}
