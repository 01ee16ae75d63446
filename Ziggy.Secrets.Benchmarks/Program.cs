using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.Data.Sqlite;
using Ziggy.Secrets.Benchmarks;
using Ziggy.Secrets.Benchmarks.Ceilings;
using Ziggy.Secrets.Benchmarks.InProcess;
using Ziggy.Secrets.Benchmarks.Seeding;
using static Ziggy.Secrets.Benchmarks.AppHttp;

// Whole-app benchmark: the real app in Release on a real port, 10,000 secrets, each scenario beside its ceiling in the
// same run. The ceilings are served by this process (see BareHost), never by the app. Prints figures, ratios and the
// targets met or missed; asserts nothing (benchmarks are not tests).
var secrets = Arg("--secrets", 10_000);
// --history-versions 50 gives every stored value 50 versions (seeded in bulk through the app's data layer, app stopped).
var historyVersions = Arg("--history-versions", 0);
var seconds = Arg("--seconds", 10);
// One connection per core by default, so p50 is a request's own time rather than mostly time queued behind other
// connections for a core; --connections 8 shows the queued figures.
var connections = Arg("--connections", Environment.ProcessorCount);
// Rounds of the import scenario that create 5,000 secrets each (an updating round follows them).
var importRounds = Arg("--import-rounds", 3);
// --only grid,page,edit,save,api,integration,browser,import,resolve,decrypts runs a subset; --pause waits after seeding so a profiler can attach.
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',');
bool Wants(string scenario) => only is null || only.Contains(scenario);
var duration = TimeSpan.FromSeconds(seconds);
LoadClient.WarmUp = TimeSpan.FromSeconds(Arg("--warm-up", (int)LoadClient.WarmUp.TotalSeconds));
var root = FindRoot();
var work = Path.Combine(Path.GetTempPath(), "ziggy-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(work);
// Other processes share the cores: the load at the start and the end of the run says how busy the machine was.
var loadAtStart = LoadAverage();

// --organizations N [--secrets-per-organization M] [--data <folder> [--reuse]]: growth with the number of organizations
// (see OrganizationScale) instead of the scenarios below.
if (Arg("--organizations", 0) is > 0 and var organizations)
{
    var dataRoot = args.SkipWhile(a => a != "--data").Skip(1).FirstOrDefault() is { } data ? Path.GetFullPath(data) : Path.Combine(work, "scale");
    Console.WriteLine("Publishing the app in Release...");
    var publishedApp = Path.Combine(work, "app");
    Run("dotnet", ["publish", Path.Combine(root, "Ziggy.Secrets.Web"), "-c", "Release", "-o", publishedApp, "-v", "q", "-nologo"]);
    try
    {
        List<Target> scaleTargets;
        try
        {
            // --postgres: the same scenarios on a throwaway PostgreSQL cluster, two app instances beside one (no --reuse).
            Func<string, ScaleOptions, Task<List<Target>>> scale = args.Contains("--postgres") ? PostgresScale.RunAsync : OrganizationScale.RunAsync;
            scaleTargets = await scale(publishedApp, new ScaleOptions(organizations, Arg("--secrets-per-organization", 1000),
                dataRoot, args.Contains("--reuse"), connections, duration, Arg("--large-organization", 10_000), Arg("--large-versions", 10),
                Arg("--import-rounds", 1)));
        }
        catch (InvalidOperationException refused)
        {
            Console.Error.WriteLine(refused.Message);
            return 2;
        }

        Console.WriteLine();
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; load average {loadAtStart} at the start, {LoadAverage()} at the end.");
        Console.WriteLine();
        Console.WriteLine("Targets:");
        Console.WriteLine();
        Console.WriteLine(Targets.ToMarkdown(scaleTargets));
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(work, recursive: true); } catch (IOException) { }
    }

    return 0;
}

// In-process figures first, while nothing else runs: BenchmarkDotNet, the app's own services, no HTTP.
var resolve = Wants("resolve") ? InProcessFigures.RunResolve() : null;
var saveInProcess = Wants("save") ? InProcessFigures.RunSave() : null;
var saveAlternating = Wants("save") ? await AlternatingSave.RunAsync() : null;
var decrypts = Wants("decrypts") ? await DecryptCheck.RunAsync() : null;

// Published output, as operators run it: from plain build output in Production, compressed static files come back empty
// to a browser (STACK.md gotcha 6), which the Chromium scenario would trip over.
Console.WriteLine("Publishing the app in Release...");
var published = Path.Combine(work, "app");
Run("dotnet", ["publish", Path.Combine(root, "Ziggy.Secrets.Web"), "-c", "Release", "-o", published, "-v", "q", "-nologo"]);
var port = FreePort();
var baseUrl = $"http://127.0.0.1:{port}";
var app = StartApp();
BareHost? bareHost = null;

try
{
    using var handler = new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), MaxConnectionsPerServer = 64 };
    using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
    for (var i = 0; i < 300 && !await Healthy(http); i++) await Task.Delay(200);
    bareHost = await BareHost.StartAsync(Path.Combine(work, "bare"));
    // A client of its own, configured as the app's: the same connection handling on both sides of each ratio.
    using var bareHandler = new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 64 };
    using var bare = new HttpClient(bareHandler) { BaseAddress = bareHost.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    // Set up, sign in, seed.
    var setup = await Document(http, "/Setup");
    await Post(http, setup, "form", new()
    {
        ["Input.OrganizationName"] = "Bench", ["Input.DisplayName"] = "Bench Owner", ["Input.Email"] = "bench@bench.test",
        ["Input.Password"] = "benchmark password", ["Input.ConfirmPassword"] = "benchmark password",
    });
    var token = (await Document(http, "/Secrets")).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
    Console.WriteLine($"Seeding {secrets:N0} secrets (three values each)...");
    var seeded = 0;
    await Parallel.ForEachAsync(Enumerable.Range(0, secrets), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
    {
        using var response = await http.PostAsync("/Secrets?handler=Create", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Name"] = $"SECRET_{i:D5}", ["Input.Description"] = $"Benchmark secret {i}",
            ["Input.Development"] = $"sk_test_{i:D5}_{new string('d', 40)}", ["Input.Staging"] = $"sk_stg_{i:D5}_{new string('s', 40)}",
            ["Input.Production"] = $"sk_live_{i:D5}_{new string('p', 40)}",
        }));
        if (response.StatusCode == HttpStatusCode.Redirect) Interlocked.Increment(ref seeded);
    });
    Console.WriteLine($"Seeded {seeded:N0}.");
    if (historyVersions > 1)
    {
        // The history is written while no app process runs, then the app starts again on the same data folder and port
        // (the session cookie stays valid: its keys are kept in the data folder).
        app.Kill(entireProcessTree: true);
        await app.WaitForExitAsync();
        Console.WriteLine($"Seeding {historyVersions} versions behind every value...");
        var (services, masterKey) = HistorySeeder.Compose(Path.Combine(work, "data"));
        using (masterKey)
        await using (services)
            Console.WriteLine($"Seeded {await HistorySeeder.SeedAsync(services, historyVersions, Console.Out):N0} versions.");
        app = StartApp();
        for (var i = 0; i < 300 && !await Healthy(http); i++) await Task.Delay(200);
    }

    var rowsJson = await http.GetStringAsync("/Secrets?handler=Rows");
    var ids = JsonDocument.Parse(rowsJson).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToArray();
    var pageBytes = (await http.GetByteArrayAsync("/Secrets")).Length;
    var partialBytes = await EditPartialLength(http, ids[0]);
    if (args.Contains("--pause"))
    {
        Console.WriteLine($"App process {app.Id} is seeded at {baseUrl}. Attach a profiler (or watch its decrypt counter with " +
                          $"`dotnet-counters monitor -p {app.Id} --counters Ziggy.Secrets`), then press Enter.");
        Console.ReadLine();
    }

    var results = new List<(Figures App, Figures Ceiling)>();
    Figures? rowsChanged = null, rowsUnchanged = null, editPartial = null, save = null, bareSave = null;
    if (Wants("grid"))
    {
        // Changed: no If-None-Match, so the app reads and sends every row, as for the first load after any change.
        rowsChanged = await LoadClient.RunAsync($"Grid rows, changed: 200 ({ids.Length:N0} secrets)", connections, duration, _ => Fetch(http, "/Secrets?handler=Rows"));
        results.Add((rowsChanged, await LoadClient.RunAsync($"bare: {ids.Length:N0} plain records", connections, duration, _ => Fetch(bare, $"/rows?count={ids.Length}"))));
        // Unchanged: each connection sends back the ETag of its previous answer, as a browser revalidating its copy does.
        var appTags = new EntityTagHeaderValue?[connections];
        var bareTags = new EntityTagHeaderValue?[connections];
        rowsUnchanged = await LoadClient.RunAsync("Grid rows, unchanged: 304 (If-None-Match)", connections, duration, c => Revalidate(http, "/Secrets?handler=Rows", appTags, c));
        results.Add((rowsUnchanged, await LoadClient.RunAsync("bare: 304 to a matching ETag", connections, duration, c => Revalidate(bare, $"/rows?count={ids.Length}", bareTags, c))));
    }

    if (Wants("page"))
    {
        results.Add((await LoadClient.RunAsync("Secrets page (HTML)", connections, duration, _ => Fetch(http, "/Secrets")),
                     await LoadClient.RunAsync($"bare: static page ({pageBytes:N0} B)", connections, duration, _ => Fetch(bare, $"/page?bytes={pageBytes}"))));
    }

    Figures? apiRead = null, bareApi = null;
    if (Wants("api"))
    {
        // A token for ten secrets' Production values, made through the tokens page as a user makes one.
        var tokensPage = await Document(http, "/Integrations/Tokens");
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", tokensPage.QuerySelector<IHtmlInputElement>("form.token-form input[name=__RequestVerificationToken]")!.Value),
            new("Input.Purpose", "benchmark"), new("Input.Environment", "Production"),
        };
        form.AddRange(ids.Take(10).Select(id => new KeyValuePair<string, string>("Input.SecretIds", id)));
        using var created = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/Integrations/Tokens?handler=Create")
        {
            Headers = { { "HX-Request", "true" } }, Content = new FormUrlEncodedContent(form),
        });
        var createdHtml = await created.Content.ReadAsStringAsync();
        var accessToken = ((IHtmlDocument)await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(createdHtml)))
            .QuerySelector<IHtmlInputElement>("[data-testid=new-token]")?.Value ?? throw new InvalidOperationException("The tokens page made no token.");
        using var api = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri(baseUrl), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", accessToken) },
        };
        // The ceiling answers the same ten names and values, serialized on each request as the app serializes them.
        var answer = await api.GetStringAsync("/api/v1/secrets");
        bareHost.ServeSecrets(JsonSerializer.Deserialize<Dictionary<string, string>>(answer)!);
        apiRead = await LoadClient.RunAsync("API read, 10-secret token scope (Bearer)", connections, duration, _ => Fetch(api, "/api/v1/secrets"));
        bareApi = await LoadClient.RunAsync("bare: the same JSON, no token, database or decryption", connections, duration, _ => Fetch(bare, "/secrets"));
        results.Add((apiRead, bareApi));
    }

    IntegrationFigures? integration = null;
    if (Wants("integration"))
    {
        // Three secrets' Production values as seeded above: in the URL's query, a header and the body.
        integration = await IntegrationScenario.RunAsync(http, ids.Take(3).Select((_, i) => ($"SECRET_{i:D5}", $"sk_live_{i:D5}_{new string('p', 40)}")).ToList(),
            connections, duration);
        results.Add((integration.Run, integration.Direct));
    }

    var random = new Random(1);
    if (Wants("edit"))
    {
        editPartial = await LoadClient.RunAsync("Edit partial (htmx)", connections, duration, _ => Fetch(http, $"/Secrets?handler=Edit&id={ids[random.Next(ids.Length)]}", htmx: true));
        results.Add((editPartial, await LoadClient.RunAsync($"bare: static page ({partialBytes:N0} B)", connections, duration, _ => Fetch(bare, $"/page?bytes={partialBytes}"))));
    }

    if (Wants("save"))
    {
        // Saves: each connection saves its own secret, following the version it gets back.
        var versions = new int[connections];
        for (var c = 0; c < connections; c++) versions[c] = await Version(http, ids[c]);
        // The same form goes to the save and to its ceiling, which answers after one raw one-row transaction.
        FormUrlEncodedContent Form(int c) => new(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Name"] = $"SECRET_{c:D5}", ["Input.Description"] = $"Benchmark secret {c}",
            ["Input.Version"] = versions[c].ToString(CultureInfo.InvariantCulture), ["Input.Staging"] = $"sk_stg_{Guid.NewGuid():N}",
        });
        save = await LoadClient.RunAsync("Save one value (encrypt + check + audit)", connections, duration, async c =>
        {
            using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/Secrets?handler=Save&id={ids[c]}")
            {
                Headers = { { "HX-Request", "true" } },
                Content = Form(c),
            });
            var body = await response.Content.ReadAsStringAsync();
            var match = Regex.Match(body, "name=\"Input.Version\" value=\"(\\d+)\"");
            if (!match.Success) return Answer.Failed;
            versions[c] = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return LoadClient.Expect(response.IsSuccessStatusCode);
        });
        bareSave = await LoadClient.RunAsync("bare: raw SQLite one-row transaction", connections, duration, async c =>
        {
            using var response = await bare.PostAsync("/save", Form(c));
            await response.Content.ReadAsStringAsync();
            return LoadClient.Expect(response.IsSuccessStatusCode);
        });
        results.Add((save, bareSave));
        // For reference: the same transaction in a loop of its own, without HTTP.
        results.Add((save, RawSqliteTransactions(Path.Combine(work, "raw.db"), duration)));
    }

    var visits = new List<(string Label, BrowserFigures Figures)>();
    if (Wants("browser"))
    {
        foreach (var (visit, label) in new[]
                 {
                     (BrowserTiming.Visit.FirstFromOrigin, "first visit, empty browser cache, from a tab on the app's origin"),
                     (BrowserTiming.Visit.FirstFromBlankTab, "first visit, empty browser cache, from a blank tab (Chromium starts a renderer process for it)"),
                     (BrowserTiming.Visit.Returning, "returning visit, scripts cached"),
                 })
            visits.Add((label, await BrowserTiming.TimeToUsableAsync(new Uri(baseUrl), handler.CookieContainer, visit)));
    }

    ImportFigures? imports = null;
    var peakRssBeforeImport = double.NaN;
    if (Wants("import"))
    {
        // Last: the 15,000 secrets it adds would otherwise change what the other scenarios read. A client of its own,
        // sharing the session, waits longer than 60 s, so that a slow apply is reported with its time.
        peakRssBeforeImport = PeakRssMb(app.Id);
        using var patient = new HttpClient(handler, disposeHandler: false) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(10) };
        Console.WriteLine($"Import: {importRounds} rounds of {ImportScenario.Entries:N0} new secrets, then one of {ImportScenario.Entries:N0} updates...");
        imports = await ImportScenario.RunAsync(patient, token, importRounds);
    }

    var peakRss = PeakRssMb(app.Id);

    Console.WriteLine();
    Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}; load average {loadAtStart} at the start, {LoadAverage()} at the end " +
                      $"(other processes share the cores: figures are noisy). {connections} connections, {seconds} s per scenario after a " +
                      $"{LoadClient.WarmUp.TotalSeconds:N0} s warm-up, {ids.Length:N0} secrets" +
                      (historyVersions > 1 ? $", {historyVersions} versions behind every value." : "."));
    Console.WriteLine();
    Console.WriteLine("| scenario | req/s | p50 ms | p99 ms | not as expected | failed | ceiling (this process) | ceiling req/s | ceiling p50 ms | ratio |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|");
    foreach (var (a, c) in results)
        Console.WriteLine($"| {a.Scenario} | {a.RequestsPerSecond:N0} | {a.P50Ms:N2} | {a.P99Ms:N2} | {a.Unexpected:N0} of {a.Requests:N0} | {a.Errors:N0} | " +
                          $"{c.Scenario} | {c.RequestsPerSecond:N0} | {c.P50Ms:N2} | {a.RequestsPerSecond / c.RequestsPerSecond:N2} |");
    foreach (var c in results.Select(r => r.Ceiling).Distinct().Where(c => c.Unexpected + c.Errors > 0))
        Console.WriteLine($"Ceiling {c.Scenario}: {c.Unexpected:N0} answers not as expected, {c.Errors:N0} failed: its ratio is not a fair one.");

    Console.WriteLine();
    Console.WriteLine("In process (BenchmarkDotNet, the app's services without HTTP), each beside its floor:");
    Console.WriteLine();
    Console.WriteLine("| operation | mean µs | allocated B | ops/s | floor | floor mean µs | floor ops/s | ratio |");
    Console.WriteLine("|---|---:|---:|---:|---|---:|---:|---:|");
    foreach (var pair in new[] { saveInProcess, resolve }.OfType<PairFigures>())
    {
        Console.WriteLine($"| {pair.App.Name} | {pair.App.MeanMicroseconds:N1} | {pair.App.AllocatedBytesPerOperation:N0} | {pair.App.OperationsPerSecond:N0} | " +
                          $"{pair.Floor.Name} | {pair.Floor.MeanMicroseconds:N1} | {pair.Floor.OperationsPerSecond:N0} | {pair.RatioOf(pair.App):N3} |");
    }

    if (saveAlternating is { } alternating)
    {
        Console.WriteLine();
        Console.WriteLine($"Save alternating with its floor in this process ({alternating.Rounds} rounds of {alternating.PerRound} saves, each followed by " +
                          $"{alternating.PerRound} raw transactions; medians per operation): save {alternating.SaveMicroseconds:N1} µs, " +
                          $"raw SQLite transaction {alternating.FloorMicroseconds:N1} µs, ratio {alternating.Ratio:N3} " +
                          $"(rounds from {alternating.LowestRoundRatio:N3} to {alternating.HighestRoundRatio:N3}).");
    }

    if (decrypts is { } counted)
    {
        Console.WriteLine();
        Console.WriteLine($"Decrypts while {counted.Secrets} secrets were listed, each opened, saved and shown again (the app's services, in process): " +
                          $"{counted.WhileListingOpeningSaving}. While resolving {counted.Resolved} values: {counted.WhileResolving}" +
                          $"{(counted.CounterCounts ? " (the counter counts)" : ", NOT one each: the counter cannot be trusted")}.");
    }

    foreach (var (visit, figures) in visits)
    {
        Console.WriteLine();
        Console.WriteLine($"Headless Chromium, Secrets page, {visit}: time from navigation start to rows shown and to a quick search answered.");
        Console.WriteLine(figures.ToMarkdown());
    }

    if (imports is not null)
    {
        Console.WriteLine();
        Console.WriteLine($"Import of {ImportScenario.Entries:N0} dotenv lines (one request each, wall time as the client saw it):");
        Console.WriteLine();
        Console.WriteLine(imports.ToMarkdown());
        Console.WriteLine($"Medians of the creating rounds that passed: preview {imports.PreviewMedianMs:N0} ms, apply {imports.ApplyMedianMs:N0} ms; " +
                          $"{imports.Failed} round(s) failed.");
    }

    Console.WriteLine();
    Console.WriteLine($"Peak RSS of the app process: {peakRss:N0} MB" +
                      (double.IsNaN(peakRssBeforeImport) ? "." : $" ({peakRssBeforeImport:N0} MB before the import scenario)."));
    Console.WriteLine();
    Console.WriteLine("Targets:");
    Console.WriteLine();
    Console.WriteLine(Targets.ToMarkdown(TargetsOf(rowsChanged, rowsUnchanged, editPartial, save, bareSave, apiRead, bareApi, visits, ids.Length, peakRss, peakRssBeforeImport, decrypts, imports, integration)));
}
finally
{
    if (bareHost is not null) await bareHost.DisposeAsync();
    app.Kill(entireProcessTree: true);
    await app.WaitForExitAsync();
    SqliteConnection.ClearAllPools();
    try { Directory.Delete(work, recursive: true); } catch (IOException) { }
}

return 0;

// The published app on the benchmark's port and data folder.
Process StartApp()
{
    var started = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(published, "Ziggy.Secrets.Web.dll")])
    {
        WorkingDirectory = published,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        Environment =
        {
            ["ASPNETCORE_URLS"] = baseUrl, ["ASPNETCORE_ENVIRONMENT"] = "Production", ["ZIGGY_DATA_DIR"] = Path.Combine(work, "data"),
            ["Logging__LogLevel__Default"] = "Warning",
            // The per-token rate limit would otherwise refuse the API scenario's load after its first minute's allowance.
            ["Ziggy__Api__RequestsPerMinute"] = "100000000",
            // The integration scenario's stub listens on loopback, which integrations may reach only when allowed.
            ["Ziggy__Integrations__AllowPrivateNetworks"] = "true",
        },
    })!;
    started.OutputDataReceived += (_, _) => { };
    started.ErrorDataReceived += (_, _) => { };
    started.BeginOutputReadLine();
    started.BeginErrorReadLine();
    return started;
}

int Arg(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

static List<Target> TargetsOf(Figures? rowsChanged, Figures? rowsUnchanged, Figures? editPartial, Figures? save, Figures? bareSave, Figures? apiRead, Figures? bareApi,
    IReadOnlyList<(string Label, BrowserFigures Figures)> visits, int secrets, double peakRss, double peakRssBeforeImport,
    DecryptFigures? decrypts, ImportFigures? imports, IntegrationFigures? integration)
{
    static string Failures(Figures f) => f.Errors == 0 ? "" : $", {f.Errors:N0} failed";
    var targets = new List<Target>();
    targets.Add(rowsChanged is { } changed
        ? new Target("Grid rows, changed (200)", "p50 < 50 ms", $"p50 {changed.P50Ms:N2} ms{Failures(changed)}", changed.P50Ms < 50 && changed.Errors == 0)
        : Target.NotMeasured("Grid rows, changed (200)", "p50 < 50 ms"));
    targets.Add(rowsUnchanged is { } unchanged
        ? new Target("Grid rows, unchanged (304)", "p50 < 15 ms, every answer 304",
            $"p50 {unchanged.P50Ms:N2} ms, {unchanged.Unexpected:N0} of {unchanged.Requests:N0} answers not 304{Failures(unchanged)}",
            unchanged.P50Ms < 15 && unchanged.Unexpected == 0 && unchanged.Errors == 0)
        : Target.NotMeasured("Grid rows, unchanged (304)", "p50 < 15 ms, every answer 304"));
    targets.Add(editPartial is { } edit
        ? new Target("Edit partial", "p50 < 5 ms", $"p50 {edit.P50Ms:N2} ms{Failures(edit)}", edit.P50Ms < 5 && edit.Errors == 0)
        : Target.NotMeasured("Edit partial", "p50 < 5 ms"));
    targets.Add(save is { } s && bareSave is { } b
        ? new Target("Save over HTTP", "p50 < 10 ms and >= 0.20 of the bare save's rate",
            $"p50 {s.P50Ms:N2} ms, {s.RequestsPerSecond / b.RequestsPerSecond:N2} of the bare save's rate{Failures(s)}",
            s.P50Ms < 10 && s.RequestsPerSecond / b.RequestsPerSecond >= 0.20 && s.Errors == 0)
        : Target.NotMeasured("Save over HTTP", "p50 < 10 ms and >= 0.20 of the bare save's rate"));
    targets.Add(apiRead is { } a && bareApi is { } ab
        ? new Target("API read, 10-secret scope", "p50 < 2 ms and >= 0.30 of the bare endpoint's rate",
            $"p50 {a.P50Ms:N2} ms, {a.RequestsPerSecond / ab.RequestsPerSecond:N2} of the bare endpoint's rate{Failures(a)}",
            a.P50Ms < 2 && a.RequestsPerSecond / ab.RequestsPerSecond >= 0.30 && a.Errors == 0 && a.Unexpected == 0)
        : Target.NotMeasured("API read, 10-secret scope", "p50 < 2 ms and >= 0.30 of the bare endpoint's rate"));
    var grid = $"{secrets:N0}-row grid usable in Chromium";
    if (visits.Count == 0) targets.Add(Target.NotMeasured(grid, "< 1.5 s"));
    foreach (var (label, figures) in visits)
    {
        var passed = figures.Runs - figures.FailedRuns;
        // A run that started on a busy machine measured the other processes too: say so beside a miss.
        var busy = figures.PerRun.Count(r => !r.Settling.Settled);
        targets.Add(new Target($"{grid}: {label}", "< 1.5 s (median; no failed run)",
            $"{figures.UsableMsMedian:N0} ms median of {passed} passed runs of {figures.Runs}, slowest {figures.UsableMsMax:N0} ms" +
            (busy == 0 ? "" : $"; {busy} run(s) started on a machine that never became idle"),
            figures.UsableMsMedian < 1500 && figures.FailedRuns == 0));
    }

    targets.Add(double.IsNaN(peakRss)
        ? Target.NotMeasured("Peak RSS of the app process", "< 250 MB")
        : new Target("Peak RSS of the app process", "< 250 MB",
            $"{peakRss:N0} MB{(double.IsNaN(peakRssBeforeImport) ? "" : $" ({peakRssBeforeImport:N0} MB before the import scenario)")}", peakRss < 250));
    targets.Add(decrypts is { } d
        ? new Target("Decrypts while listing, opening and saving", "0", $"{d.WhileListingOpeningSaving}{(d.CounterCounts ? "" : " (the counter did not count the resolve)")}",
            d.WhileListingOpeningSaving == 0 && d.CounterCounts)
        : Target.NotMeasured("Decrypts while listing, opening and saving", "0"));
    targets.Add(integration is { } run
        ? new Target("Integration run overhead over the direct HttpClient call", "< 2 ms at p50",
            $"{run.OverheadMs:N2} ms (run p50 {run.Run.P50Ms:N2} ms, direct p50 {run.Direct.P50Ms:N2} ms; the app's own outbound time, median {run.OutboundMedianMs:N0} ms){Failures(run.Run)}",
            run.OverheadMs < 2 && run.Run.Errors == 0 && run.Direct.Errors == 0)
        : Target.NotMeasured("Integration run overhead over the direct HttpClient call", "< 2 ms at p50"));
    targets.AddRange(ImportTargets(imports));
    return targets;
}

// Each step of every round must pass (a wrong answer is a failure, never a time); the creating rounds' median and the
// updating round must each be under 5 s.
static IEnumerable<Target> ImportTargets(ImportFigures? imports)
{
    var entries = $"{ImportScenario.Entries:N0}";
    foreach (var (what, median, steps) in new (string, Func<ImportFigures, double>, Func<ImportRound, ImportStep>)[]
             {
                 ($"Import preview, {entries} entries", f => f.PreviewMedianMs, r => r.Preview),
                 ($"Import apply, {entries} entries", f => f.ApplyMedianMs, r => r.Apply),
             })
    {
        const string goal = "< 5 s (median of the creating rounds, and the updating round; no failed round)";
        if (imports is null)
        {
            yield return Target.NotMeasured(what, goal);
            continue;
        }

        var failed = imports.Rounds.Count(r => !steps(r).Passed);
        var updating = imports.Rounds.Where(r => r.Updates && steps(r).Passed).ToList();
        var updates = updating.Select(r => $"; {entries} updates {steps(r).Ms:N0} ms");
        yield return new Target(what, goal,
            $"{median(imports):N0} ms median of {imports.Creating.Count(r => steps(r).Passed)} creating rounds{string.Concat(updates)}" +
            (failed == 0 ? "" : $", {failed} round(s) failed"),
            median(imports) < 5000 && updating.All(r => steps(r).Ms < 5000) && failed == 0 && imports.Rounds.Count > 0);
    }
}

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ziggy.Secrets.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException("Run from inside the repository.");
}

static void Run(string file, string[] arguments)
{
    using var process = Process.Start(new ProcessStartInfo(file, arguments))!;
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed.");
}

// The save's floor measured like a scenario: warmed up, then one-row transactions back to back for the same time.
static Figures RawSqliteTransactions(string path, TimeSpan duration)
{
    using var table = new RawSqliteTable(path);
    Insert(LoadClient.WarmUp);
    var stopwatch = Stopwatch.StartNew();
    var latencies = Insert(duration);
    var seconds = stopwatch.Elapsed.TotalSeconds;
    var sorted = latencies.Order().ToArray();
    return new Figures("raw SQLite one-row transaction, no HTTP (reference)", sorted.Length / seconds, sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)], sorted.Length, 0, 0);

    List<double> Insert(TimeSpan time)
    {
        var timings = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < time)
        {
            var started = Stopwatch.GetTimestamp();
            table.InsertOne();
            timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return timings;
    }
}
