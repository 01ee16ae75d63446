using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Ziggy.Secrets.Benchmarks.Ceilings;
using Ziggy.Secrets.Benchmarks.Seeding;
using static Ziggy.Secrets.Benchmarks.AppHttp;

namespace Ziggy.Secrets.Benchmarks;

/// <summary>The options of a run at scale: how many organizations of how many secrets, and where the seeded data lives.</summary>
/// <param name="LargeSecrets">Secrets of the one large organization added beside the others (none when 0).</param>
/// <param name="LargeVersions">History versions of each of its values.</param>
/// <param name="ImportRounds">Rounds of the import scenario that create 5,000 secrets each (an updating round follows).</param>
public sealed record ScaleOptions(int Organizations, int SecretsPerOrganization, string DataRoot, bool Reuse, int Connections, TimeSpan Duration,
    int LargeSecrets, int LargeVersions, int ImportRounds);

/// <summary>
/// Growth with the number of organizations: the same scenarios (grid rows 200 and 304, the edit partial, a save, an API
/// read of a 10-secret token scope) against one organization of M secrets, first while it is the only one, then while
/// N - 1 other organizations of M secrets each share the database. The two data folders are seeded once (the first
/// through /Setup and the app's data layer, the second as a copy of it with the other organizations added) and can be
/// kept and reused between runs.
/// </summary>
public static class OrganizationScale
{
    public static async Task<List<Target>> RunAsync(string published, ScaleOptions options)
    {
        var one = Path.Combine(options.DataRoot, "one");
        var many = Path.Combine(options.DataRoot, "many");
        var seeding = await SeedAsync(published, options, one, many);

        await using var bare = await BareHost.StartAsync(Path.Combine(options.DataRoot, "bare"));
        var single = await MeasureAsync(published, one, "1 organization", options, bare);
        var shared = await MeasureAsync(published, many, $"{options.Organizations:N0} organizations", options, bare,
            options.LargeSecrets > 0 ? OrganizationSeeder.OwnerEmail(options.Organizations) : null, extras: true);
        var secrets = (long)options.Organizations * options.SecretsPerOrganization + options.LargeSecrets;

        Console.WriteLine();
        Console.WriteLine($"Organizations: the same organization of {options.SecretsPerOrganization:N0} secrets alone, then beside " +
                          $"{options.Organizations - 1:N0} others of {options.SecretsPerOrganization:N0} secrets each ({options.Connections} connections, " +
                          $"{options.Duration.TotalSeconds:N0} s per scenario). {seeding}");
        Console.WriteLine();
        Console.WriteLine($"| scenario | 1 org p50 ms | {options.Organizations:N0} orgs p50 ms | p50 ratio | 1 org p99 ms | {options.Organizations:N0} orgs p99 ms | " +
                          $"1 org req/s | {options.Organizations:N0} orgs req/s | ceiling req/s | ratio to ceiling | failed or not as expected |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var targets = new List<Target>();
        for (var i = 0; i < single.Figures.Count; i++)
        {
            var (a, b, ceiling) = (single.Figures[i], shared.Figures[i], shared.Ceilings[i]);
            var ratio = b.P50Ms / a.P50Ms;
            var wrong = a.Errors + a.Unexpected + b.Errors + b.Unexpected;
            Console.WriteLine($"| {a.Scenario} | {a.P50Ms:N2} | {b.P50Ms:N2} | {ratio:N2} | {a.P99Ms:N2} | {b.P99Ms:N2} | {a.RequestsPerSecond:N0} | {b.RequestsPerSecond:N0} | " +
                              $"{ceiling.RequestsPerSecond:N0} | {b.RequestsPerSecond / ceiling.RequestsPerSecond:N3} | {wrong:N0} |");
            targets.Add(new Target($"{a.Scenario}: {options.Organizations:N0} organizations vs 1", "p50 within 1.5x, every answer as expected",
                $"{ratio:N2}x ({a.P50Ms:N2} -> {b.P50Ms:N2} ms){(wrong == 0 ? "" : $", {wrong:N0} failed or not as expected")}", ratio <= 1.5 && wrong == 0));
        }

        var (rows, save, api, apiCeiling) = (shared.Figures[0], shared.Figures[3], shared.Figures[4], shared.Ceilings[4]);
        static bool Right(Figures f) => f.Errors == 0 && f.Unexpected == 0;
        targets.Add(new Target($"Grid rows of a {options.SecretsPerOrganization:N0}-secret organization (200), {options.Organizations:N0} organizations", "p50 < 10 ms",
            $"p50 {rows.P50Ms:N2} ms", rows.P50Ms < 10 && Right(rows)));
        targets.Add(new Target($"Save one value, {options.Organizations:N0} organizations", "p50 < 10 ms", $"p50 {save.P50Ms:N2} ms", save.P50Ms < 10 && Right(save)));
        targets.Add(new Target($"API read, 10-secret scope, {options.Organizations:N0} organizations", "p50 < 2 ms and >= 0.30 of its ceiling's rate",
            $"p50 {api.P50Ms:N2} ms, {api.RequestsPerSecond:N0} req/s = {api.RequestsPerSecond / apiCeiling.RequestsPerSecond:N3} of the ceiling's {apiCeiling.RequestsPerSecond:N0}",
            api.P50Ms < 2 && api.RequestsPerSecond / apiCeiling.RequestsPerSecond >= 0.30 && Right(api)));

        if (shared.Large.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"The large organization, beside the {options.Organizations:N0} others:");
            Console.WriteLine();
            Console.WriteLine("| scenario | req/s | p50 ms | p99 ms | not as expected | failed |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var f in shared.Large) Console.WriteLine($"| {f.Scenario} | {f.RequestsPerSecond:N0} | {f.P50Ms:N2} | {f.P99Ms:N2} | {f.Unexpected:N0} | {f.Errors:N0} |");
            var (changed, unchanged) = (shared.Large[0], shared.Large[1]);
            targets.Add(new Target($"{options.LargeSecrets:N0}-secret organization: grid rows, changed (200)", "p50 < 50 ms",
                $"p50 {changed.P50Ms:N2} ms{(changed.Errors == 0 ? "" : $", {changed.Errors:N0} failed")}", changed.P50Ms < 50 && changed.Errors == 0));
            targets.Add(new Target($"{options.LargeSecrets:N0}-secret organization: grid rows, unchanged (304)", "p50 < 15 ms, every answer 304",
                $"p50 {unchanged.P50Ms:N2} ms, {unchanged.Unexpected:N0} of {unchanged.Requests:N0} not 304", unchanged.P50Ms < 15 && unchanged.Unexpected == 0 && unchanged.Errors == 0));
        }

        targets.AddRange(PrintExtras(shared.Extras, $"{options.Organizations:N0} organizations"));
        Console.WriteLine();
        Console.WriteLine($"Peak RSS of the app process: {single.PeakRssMb:N0} MB with 1 organization; with {options.Organizations:N0} ({secrets:N0} secrets) " +
                          $"{shared.Extras!.PeakRssBeforeImportMb:N1} MB before the import scenario, {shared.PeakRssMb:N1} MB at the end. Benchmark process (load client and ceilings): {BenchmarkRssMb():N0} MB.");
        targets.Add(new Target($"Peak RSS of the app with {secrets:N0} secrets", "< 300 MB",
            $"{shared.Extras.PeakRssBeforeImportMb:N1} MB before the import scenario, {shared.PeakRssMb:N1} MB at the end", shared.PeakRssMb < 300));
        if (FailedAnswersLine() is { Length: > 0 } failed) Console.WriteLine(failed);
        SqliteFigures.Write(options, shared.Figures.Append(shared.Extras.Integration.Run));
        return targets;
    }

    /// <summary>What the scale runs measure besides the five scenarios: an integration run and an import, in another organization.</summary>
    public sealed record Extras(IntegrationFigures Integration, ImportFigures Imports, double PeakRssBeforeImportMb);

    /// <summary>
    /// The integration run and the import, as the owner of the second organization (so the measured first organization
    /// and the large one do not grow): three secrets made through the editor's form for the integration, then
    /// <see cref="ImportScenario"/>. Names carry a tag of this run, so kept data can be used again.
    /// </summary>
    public static async Task<Extras> ExtrasAsync(RunningApp app, ScaleOptions options)
    {
        var tag = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
        using var owner = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), MaxConnectionsPerServer = 64 })
        {
            BaseAddress = app.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(10),
        };
        await SignInAsync(owner, OrganizationSeeder.OwnerEmail(1));
        var antiforgery = (await Document(owner, "/Secrets")).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var production = Enumerable.Range(1, 3).Select(i => ($"BENCH_INT_{tag}_{i}", $"sk_live_{tag}_{i}_{new string('p', 40)}")).ToList();
        foreach (var (name, value) in production)
        {
            using var created = await owner.PostAsync("/Secrets?handler=Create", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = antiforgery, ["Input.Name"] = name, ["Input.Description"] = "Benchmark integration secret", ["Input.Production"] = value,
            }));
            if (created.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Creating {name} answered {(int)created.StatusCode}.");
        }

        var integration = await IntegrationScenario.RunAsync(owner, production, options.Connections, options.Duration);
        var before = PeakRssMb(app.Process.Id);
        Console.WriteLine($"Import: {options.ImportRounds} round(s) of {ImportScenario.Entries:N0} new secrets, then one of {ImportScenario.Entries:N0} updates...");
        var imports = await ImportScenario.RunAsync(owner, antiforgery, options.ImportRounds, tag + "_");
        return new Extras(integration, imports, before);
    }

    /// <summary>Prints the integration and import figures and answers their targets.</summary>
    public static List<Target> PrintExtras(Extras? extras, string where)
    {
        if (extras is null) return [];
        var (run, direct) = (extras.Integration.Run, extras.Integration.Direct);
        Console.WriteLine();
        Console.WriteLine($"Integration run ({where}), beside the same request sent straight to the stub:");
        Console.WriteLine();
        Console.WriteLine("| scenario | req/s | p50 ms | p99 ms | not as expected | failed |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var f in new[] { run, direct }) Console.WriteLine($"| {f.Scenario} | {f.RequestsPerSecond:N0} | {f.P50Ms:N2} | {f.P99Ms:N2} | {f.Unexpected:N0} | {f.Errors:N0} |");
        Console.WriteLine($"Overhead of the run over the direct call at p50: {extras.Integration.OverheadMs:N2} ms (the app's own outbound call, as it shows it: median {extras.Integration.OutboundMedianMs:N0} ms).");
        Console.WriteLine();
        Console.WriteLine($"Import of {ImportScenario.Entries:N0} dotenv lines ({where}; one request each, wall time as the client saw it):");
        Console.WriteLine();
        Console.WriteLine(extras.Imports.ToMarkdown());
        var updating = extras.Imports.Rounds.FirstOrDefault(r => r.Updates);
        var importsPassed = extras.Imports.Failed == 0;
        return
        [
            new Target($"Integration run overhead over the direct HttpClient call, {where}", "< 2 ms at p50",
                $"{extras.Integration.OverheadMs:N2} ms (run p50 {run.P50Ms:N2} ms, direct p50 {direct.P50Ms:N2} ms)",
                extras.Integration.OverheadMs < 2 && run.Errors == 0 && run.Unexpected == 0),
            new Target($"Import preview and apply of {ImportScenario.Entries:N0} entries, {where}", "< 5 s each, no failed round",
                $"preview {extras.Imports.PreviewMedianMs:N0} ms, apply {extras.Imports.ApplyMedianMs:N0} ms (medians of the creating rounds)" +
                (updating is null ? "" : $"; {ImportScenario.Entries:N0} updates: preview {updating.Preview.Ms:N0} ms, apply {updating.Apply.Ms:N0} ms") +
                (importsPassed ? "" : $"; {extras.Imports.Failed} round(s) failed"),
                importsPassed && extras.Imports.PreviewMedianMs < 5000 && extras.Imports.ApplyMedianMs < 5000 &&
                (updating is null || (updating.Preview.Ms < 5000 && updating.Apply.Ms < 5000))),
        ];
    }

    private static double BenchmarkRssMb() => PeakRssMb(Environment.ProcessId);

    private static async Task<string> SeedAsync(string published, ScaleOptions options, string one, string many)
    {
        var (markerOne, markerMany) = (SeedMarker.Read(one), SeedMarker.Read(many));
        if (markerOne is not null || markerMany is not null || (Directory.Exists(options.DataRoot) && Directory.EnumerateFileSystemEntries(options.DataRoot).Any()))
        {
            if (!options.Reuse)
                throw new InvalidOperationException($"{options.DataRoot} already holds data: pass --reuse to use it, or name an empty or new folder with --data.");
            if (markerOne is null || markerMany is null)
                throw new InvalidOperationException($"{options.DataRoot} holds no finished seeding (no {SeedMarker.FileName} in both 'one' and 'many'): delete it and seed again.");
            if (!markerOne.Holds(1, options.SecretsPerOrganization, 0, 0) ||
                !markerMany.Holds(options.Organizations, options.SecretsPerOrganization, options.LargeSecrets, options.LargeVersions))
                throw new InvalidOperationException($"{options.DataRoot} was seeded with {markerMany.Organizations:N0} organizations of {markerMany.SecretsPerOrganization:N0} secrets and a large one of " +
                                                    $"{markerMany.LargeSecrets:N0} secrets with {markerMany.LargeVersions} versions, not the {options.Organizations:N0} of {options.SecretsPerOrganization:N0} " +
                                                    $"and {options.LargeSecrets:N0} with {options.LargeVersions} asked for: pass those sizes, or another --data folder.");
            return $"Reused {options.DataRoot}: seeded earlier at {markerMany.Values / markerMany.SeedingSeconds:N0} values/s in {markerMany.SeedingSeconds:N0} s; " +
                   $"database {DatabaseMb(many):N0} MB.";
        }

        Console.WriteLine($"Seeding 1 organization of {options.SecretsPerOrganization:N0} secrets in {one}...");
        var clock = Stopwatch.StartNew();
        await using (var app = await RunningApp.StartAsync(published, one))
        {
            var setup = await Document(app.Http, "/Setup");
            await Post(app.Http, setup, "form", new()
            {
                ["Input.OrganizationName"] = "Bench organization 00000", ["Input.DisplayName"] = "Owner 00000", ["Input.Email"] = OrganizationSeeder.OwnerEmail(0),
                ["Input.Password"] = OrganizationSeeder.Password, ["Input.ConfirmPassword"] = OrganizationSeeder.Password,
            });
        }

        long values;
        var (services, masterKey) = HistorySeeder.Compose(one);
        using (masterKey)
        await using (services)
        {
            var (organization, owner) = await OrganizationSeeder.SetUpOrganizationAsync(services);
            values = await OrganizationSeeder.AddSecretsAsync(services, organization, owner, options.SecretsPerOrganization, progress: null);
        }

        OrganizationSeeder.Release();
        new SeedMarker(1, options.SecretsPerOrganization, values, clock.Elapsed.TotalSeconds).Write(one);

        Console.WriteLine($"Seeding {options.Organizations - 1:N0} more organizations of {options.SecretsPerOrganization:N0} secrets in {many}...");
        Directory.CreateDirectory(many);
        foreach (var file in Directory.EnumerateFiles(one).Where(f => Path.GetFileName(f) != SeedMarker.FileName))
            File.Copy(file, Path.Combine(many, Path.GetFileName(file)));
        foreach (var directory in Directory.EnumerateDirectories(one)) CopyDirectory(directory, Path.Combine(many, Path.GetFileName(directory)));
        clock.Restart();
        var history = 0L;
        (services, masterKey) = HistorySeeder.Compose(many);
        using (masterKey)
        await using (services)
        {
            values = await OrganizationSeeder.AddOrganizationsAsync(services, 1, options.Organizations - 1, options.SecretsPerOrganization, Console.Out);
            if (options.LargeSecrets > 0)
            {
                Console.WriteLine($"Seeding one organization of {options.LargeSecrets:N0} secrets with {options.LargeVersions} versions behind every value...");
                values += await OrganizationSeeder.AddOrganizationsAsync(services, options.Organizations, 1, options.LargeSecrets, Console.Out);
                var large = await OrganizationSeeder.OrganizationOfAsync(services, OrganizationSeeder.OwnerEmail(options.Organizations));
                history = await HistorySeeder.SeedAsync(services, options.LargeVersions, Console.Out, large);
            }
        }

        OrganizationSeeder.Release();
        var seconds = clock.Elapsed.TotalSeconds;
        new SeedMarker(options.Organizations, options.SecretsPerOrganization, values, seconds, options.LargeSecrets, options.LargeVersions).Write(many);
        var rate = values / seconds;
        var full = 1000L * 1000 * 3;
        return $"Seeded {values:N0} values at {rate:N0} values/s in {seconds:N0} s, history versions included ({history:N0} of them; " +
               $"1,000 x 1,000 would take about {full / rate / 60:N0} min at that rate); " +
               $"database {DatabaseMb(many):N0} MB.";
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var directory in Directory.EnumerateDirectories(from)) CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
    }

    private static double DatabaseMb(string folder) =>
        Directory.EnumerateFiles(folder).Where(f => Path.GetFileName(f).Contains(".db", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length) / 1024.0 / 1024;

    private sealed record Phase(List<Figures> Figures, List<Figures> Ceilings, double PeakRssMb, List<Figures> Large, Extras? Extras);

    private static async Task<Phase> MeasureAsync(string published, string folder, string label, ScaleOptions options, BareHost bare,
        string? largeOwner = null, bool extras = false)
    {
        Console.WriteLine($"Measuring with {label}...");
        await using var app = await RunningApp.StartAsync(published, folder);
        await SignInAsync(app.Http);
        var ceilings = new List<Figures>();
        var figures = await ScenariosAsync([app.Http], options, (bare, ceilings));
        var large = new List<Figures>();
        if (largeOwner is not null)
        {
            // A client of its own: the large organization's owner signs in with cookies of their own.
            using var owner = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), MaxConnectionsPerServer = 64 })
            {
                BaseAddress = app.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60),
            };
            await SignInAsync(owner, largeOwner);
            var ids = JsonDocument.Parse(await owner.GetStringAsync("/Secrets?handler=Rows")).RootElement.GetArrayLength();
            large.Add(await LoadClient.RunAsync($"Grid rows, changed: 200 ({ids:N0} secrets, {options.LargeVersions} versions each)", options.Connections, options.Duration,
                _ => Fetch(owner, "/Secrets?handler=Rows")));
            var tags = new EntityTagHeaderValue?[options.Connections];
            large.Add(await LoadClient.RunAsync($"Grid rows, unchanged: 304 ({ids:N0} secrets)", options.Connections, options.Duration,
                c => Revalidate(owner, "/Secrets?handler=Rows", tags, c)));
        }

        var more = extras ? await ExtrasAsync(app, options) : null;
        return new Phase(figures, ceilings, PeakRssMb(app.Process.Id), large, more);
    }

    /// <summary>Signs in as the owner of the organization /Setup made; a client sharing the cookies is signed in too.</summary>
    public static async Task SignInAsync(HttpClient http, string? email = null)
    {
        email ??= OrganizationSeeder.OwnerEmail(0);
        var signIn = await Document(http, "/Account/SignIn");
        await Post(http, signIn, "form[method=post]", new() { ["Input.Email"] = email, ["Input.Password"] = OrganizationSeeder.Password });
        using var secretsPage = await http.GetAsync("/Secrets");
        if (secretsPage.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"Signing in as {email} failed: /Secrets answered {(int)secretsPage.StatusCode}.");
    }

    /// <summary>
    /// Grid rows (200 and 304), the edit partial, a save and an API read, by signed-in <paramref name="clients"/>:
    /// connection c sends its requests through client c modulo their count, so that several app instances share the load.
    /// </summary>
    /// <param name="bare">When given, each scenario's ceiling (<see cref="BareHost"/>) is measured right after it and added to the list.</param>
    public static async Task<List<Figures>> ScenariosAsync(IReadOnlyList<HttpClient> clients, ScaleOptions options, (BareHost Host, List<Figures> Figures)? bare = null)
    {
        var http = clients[0];
        using var bareHttp = bare is null ? null : new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 64 })
        {
            BaseAddress = bare.Value.Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60),
        };
        async Task CeilingAsync(string scenario, Func<int, Task<Answer>> request)
        {
            if (bare is { } b) b.Figures.Add(await LoadClient.RunAsync(scenario, options.Connections, options.Duration, request));
        }

        HttpClient Of(int connection) => clients[connection % clients.Count];
        var token = (await Document(http, "/Secrets")).QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var ids = JsonDocument.Parse(await http.GetStringAsync("/Secrets?handler=Rows")).RootElement.EnumerateArray()
            .Select(r => (Id: r.GetProperty("id").GetString()!, Name: r.GetProperty("name").GetString()!)).ToArray();
        var (connections, duration) = (options.Connections, options.Duration);
        var figures = new List<Figures>
        {
            await LoadClient.RunAsync($"Grid rows, changed: 200 ({ids.Length:N0} secrets)", connections, duration, c => Fetch(Of(c), "/Secrets?handler=Rows")),
        };
        await CeilingAsync($"bare: {ids.Length:N0} plain records", _ => Fetch(bareHttp!, $"/rows?count={ids.Length}"));
        var tags = new EntityTagHeaderValue?[connections];
        figures.Add(await LoadClient.RunAsync("Grid rows, unchanged: 304", connections, duration, c => Revalidate(Of(c), "/Secrets?handler=Rows", tags, c)));
        var bareTags = new EntityTagHeaderValue?[connections];
        await CeilingAsync("bare: 304 to a matching ETag", c => Revalidate(bareHttp!, $"/rows?count={ids.Length}", bareTags, c));
        var random = new Random(1);
        figures.Add(await LoadClient.RunAsync("Edit partial (htmx)", connections, duration, c => Fetch(Of(c), $"/Secrets?handler=Edit&id={ids[random.Next(ids.Length)].Id}", htmx: true)));
        if (bare is not null)
        {
            var partialBytes = await EditPartialLength(http, ids[0].Id);
            await CeilingAsync($"bare: static page ({partialBytes:N0} B)", _ => Fetch(bareHttp!, $"/page?bytes={partialBytes}"));
        }

        var versions = new int[connections];
        for (var c = 0; c < connections; c++) versions[c] = await Version(http, ids[c].Id);
        figures.Add(await LoadClient.RunAsync("Save one value", connections, duration, async c =>
        {
            using var response = await Of(c).SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/Secrets?handler=Save&id={ids[c].Id}")
            {
                Headers = { { "HX-Request", "true" } },
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token, ["Input.Name"] = ids[c].Name, ["Input.Description"] = "Benchmark secret",
                    ["Input.Version"] = versions[c].ToString(CultureInfo.InvariantCulture), ["Input.Staging"] = $"sk_stg_{Guid.NewGuid():N}",
                }),
            });
            var match = Regex.Match(await response.Content.ReadAsStringAsync(), "name=\"Input.Version\" value=\"(\\d+)\"");
            if (!match.Success) return Answer.Failed;
            versions[c] = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return LoadClient.Expect(response.IsSuccessStatusCode);
        }));
        await CeilingAsync("bare: raw SQLite one-row transaction", async c =>
        {
            using var response = await bareHttp!.PostAsync("/save", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["Input.Name"] = ids[c].Name, ["Input.Description"] = "Benchmark secret",
                ["Input.Version"] = versions[c].ToString(CultureInfo.InvariantCulture), ["Input.Staging"] = $"sk_stg_{Guid.NewGuid():N}",
            }));
            await response.Content.ReadAsStringAsync();
            return LoadClient.Expect(response.IsSuccessStatusCode);
        });

        var accessToken = await AccessTokenAsync(http, ids.Take(10).Select(i => i.Id));
        var apis = clients.Select(client => new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 64 })
        {
            BaseAddress = client.BaseAddress, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", accessToken) },
        }).ToList();
        try
        {
            figures.Add(await LoadClient.RunAsync("API read, 10-secret token scope", connections, duration, c => Fetch(apis[c % apis.Count], "/api/v1/secrets")));
            if (bare is { } b)
            {
                // The same names and values, serialized on each request as the app serializes them.
                b.Host.ServeSecrets(JsonSerializer.Deserialize<Dictionary<string, string>>(await apis[0].GetStringAsync("/api/v1/secrets"))!);
                await CeilingAsync("bare: the same JSON, no token, database or decryption", _ => Fetch(bareHttp!, "/secrets"));
            }
        }
        finally
        {
            apis.ForEach(a => a.Dispose());
        }

        return figures;
    }

    /// <summary>A token for these secrets' Production values, made through the Access tokens form as a user makes one.</summary>
    public static async Task<string> AccessTokenAsync(HttpClient http, IEnumerable<string> secretIds)
    {
        var tokensPage = await Document(http, "/Integrations/Tokens");
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", tokensPage.QuerySelector<IHtmlInputElement>("form.token-form input[name=__RequestVerificationToken]")!.Value),
            new("Input.Purpose", "benchmark"), new("Input.Environment", "Production"),
        };
        form.AddRange(secretIds.Select(id => new KeyValuePair<string, string>("Input.SecretIds", id)));
        using var created = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/Integrations/Tokens?handler=Create")
        {
            Headers = { { "HX-Request", "true" } }, Content = new FormUrlEncodedContent(form),
        });
        var createdHtml = await created.Content.ReadAsStringAsync();
        return ((IHtmlDocument)await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(createdHtml)))
            .QuerySelector<IHtmlInputElement>("[data-testid=new-token]")?.Value ?? throw new InvalidOperationException("The tokens page made no token.");
    }
}

/// <summary>The published app on a free port and a data folder of its own, with a client that keeps its session cookie.</summary>
public sealed class RunningApp : IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log;

    private RunningApp(Process process, HttpClient http, System.Collections.Concurrent.ConcurrentQueue<string> log)
    {
        Process = process;
        Http = http;
        _log = log;
    }

    public Process Process { get; }

    public HttpClient Http { get; }

    public static async Task<RunningApp> StartAsync(string published, string dataFolder, IReadOnlyDictionary<string, string>? settings = null, CookieContainer? cookies = null)
    {
        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet", [Path.Combine(published, "Ziggy.Secrets.Web.dll")])
        {
            WorkingDirectory = published, RedirectStandardOutput = true, RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_URLS"] = baseUrl, ["ASPNETCORE_ENVIRONMENT"] = "Production", ["ZIGGY_DATA_DIR"] = dataFolder,
                ["Logging__LogLevel__Default"] = "Warning", ["Ziggy__Api__RequestsPerMinute"] = "100000000",
                // The integration scenario's stub listens on loopback, which integrations may reach only when allowed.
                ["Ziggy__Integrations__AllowPrivateNetworks"] = "true",
            },
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, line) => Keep(log, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(log, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer(), MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60),
        };
        for (var i = 0; i < 300 && !await Healthy(http); i++)
        {
            if (process.HasExited) throw new InvalidOperationException($"The app on {dataFolder} exited with code {process.ExitCode}.");
            await Task.Delay(200);
        }

        return new RunningApp(process, http, log);
    }

    /// <summary>Keeps the app's log (warnings and errors only: it runs at Warning), up to 2,000 lines.</summary>
    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> log, string? line)
    {
        if (line is not null && log.Count < 2000) log.Enqueue(line);
    }

    public async ValueTask DisposeAsync()
    {
        // An answer counted as a failure is explained here: the first error the app logged, as it logged it. (On PostgreSQL
        // a transaction that lost a race is logged as an error by EF Core and then run again: only failed answers count.)
        var errors = _log.SkipWhile(l => !l.StartsWith("fail:", StringComparison.Ordinal) && !l.StartsWith("crit:", StringComparison.Ordinal)).Take(8).ToList();
        if (errors.Count > 0)
        {
            Console.WriteLine($"The app at {Http.BaseAddress} logged {_log.Count(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)):N0} error(s); " +
                              $"the first begins:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }
        Http.Dispose();
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
        Process.Dispose();
    }
}
