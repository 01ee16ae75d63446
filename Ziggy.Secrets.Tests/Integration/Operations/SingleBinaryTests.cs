using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Xunit.Abstractions;
using Ziggy.Secrets.Tests.Support;

namespace Ziggy.Secrets.Tests.Integration.Operations;

/// <summary>
/// The single binary of README.md ("Single binary"): published with the documented command, copied alone into an
/// empty folder and started there, it serves the whole UI from inside itself and creates its data folder beside it.
/// Publishing takes half a minute to a minute, so everything is checked in one run of one binary.
/// </summary>
[Trait("Category", "SingleBinary")]
public sealed class SingleBinaryTests(ITestOutputHelper log) : IDisposable
{
    /// <summary>The publish command of README.md, "Single binary" (the output folder is the test's own).</summary>
    private static readonly string[] PublishArguments =
        ["publish", "Ziggy.Secrets.Web", "-c", "Release", "-r", "linux-x64", "--self-contained", "-p:PublishSingleFile=true", "-o"];

    private const string BinaryName = "ziggy-secrets";

    private readonly string _root = Directory.CreateTempSubdirectory("ziggy-single-binary-").FullName;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _app;

    [Fact]
    public async Task PublishedBinary_StartedAloneInEmptyFolder_ServesFullUiAndCreatesDataFolder()
    {
        var published = Publish(Path.Combine(_root, "publish"));
        var runFolder = Directory.CreateDirectory(Path.Combine(_root, "run")).FullName;
        var binary = Path.Combine(runFolder, BinaryName);
        File.Copy(published, binary); // keeps the executable bit
        var extractFolder = Path.Combine(_root, "extract");

        var port = Ports.Free();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var started = Stopwatch.StartNew();
        _app = StartBinary(binary, runFolder, extractFolder, port);
        using var session = new TestSession(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = baseAddress,
        });
        await WaitUntilHealthyAsync(session.Client);
        log.WriteLine($"first response (/healthz) {started.ElapsedMilliseconds} ms after start");

        // The data folder is created where the binary was started, not in the extraction folder.
        Assert.True(File.Exists(Path.Combine(runFolder, "data", "ziggy.db")), "data/ziggy.db next to the binary" + Output());
        Assert.True(File.Exists(Path.Combine(runFolder, "data", "master.key")), "data/master.key next to the binary" + Output());
        Assert.Equal(["data", BinaryName], Directory.GetFileSystemEntries(runFolder).Select(entry => Path.GetFileName(entry)).Order().ToArray());
        Assert.Empty(Directory.GetDirectories(extractFolder, "data", SearchOption.AllDirectories));

        // First run: every page leads to the setup page.
        var home = await session.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/Setup", home.Headers.Location?.OriginalString);
        var setup = await session.GetPageAsync("/Setup");
        var form = setup.Form();
        Assert.NotNull(form.Elements["Input.OrganizationName"]);
        Assert.NotNull(form.Elements["__RequestVerificationToken"]);

        // Assets, by the (fingerprinted) URLs the page references and by their plain URLs.
        var css = setup.QuerySelector("link[rel=stylesheet][href^='/css/site']")?.GetAttribute("href");
        var htmx = setup.QuerySelector("script[src^='/lib/htmx/htmx.min']")?.GetAttribute("src");
        Assert.NotNull(css);
        Assert.NotNull(htmx);
        Assert.NotNull(setup.QuerySelector("script[src='/_htmx/antiforgery.js']"));
        await AssertAssetAsync(session.Client, css, "text/css", "wwwroot/css/site.css");
        await AssertAssetAsync(session.Client, htmx, "javascript", "wwwroot/lib/htmx/htmx.min.js");
        await AssertAssetAsync(session.Client, "/css/site.css", "text/css", "wwwroot/css/site.css");
        await AssertAssetAsync(session.Client, "/lib/htmx/htmx.min.js", "javascript", "wwwroot/lib/htmx/htmx.min.js");
        await AssertAssetAsync(session.Client, "/lib/ag-grid/ag-grid.min.js", "javascript", "wwwroot/lib/ag-grid/ag-grid.min.js");
        await AssertAssetAsync(session.Client, "/js/grids.js", "javascript", "wwwroot/js/grids.js");
        await AssertAssetAsync(session.Client, "/_htmx/antiforgery.js", "javascript", sourceFile: null);
        // The compressed variants are inside too (an empty compressed body is what a missing file looks like).
        await AssertCompressedAssetAsync(baseAddress, "/lib/ag-grid/ag-grid.min.js", "wwwroot/lib/ag-grid/ag-grid.min.js");

        // Setup through the form, then the Secrets page with its AG Grid.
        var signedIn = await session.SubmitAndFollowAsync(form, new()
        {
            ["Input.OrganizationName"] = "Acme Corp",
            ["Input.DisplayName"] = "Ada Admin",
            ["Input.Email"] = "ada@acme.test",
            ["Input.Password"] = ZiggyAppFactory.Password,
            ["Input.ConfirmPassword"] = ZiggyAppFactory.Password,
        });
        Assert.Equal("Ada Admin", signedIn.QuerySelector("[data-testid=user-name]")?.TextContent);
        var secrets = await session.GetPageAsync("/Secrets");
        var agGrid = secrets.QuerySelector("script[src^='/lib/ag-grid/ag-grid.min']")?.GetAttribute("src");
        Assert.NotNull(agGrid);
        await AssertAssetAsync(session.Client, agGrid, "javascript", "wwwroot/lib/ag-grid/ag-grid.min.js");

        // The same binary's verify command checks the database and the keys it made.
        var verify = new ProcessStartInfo(binary, ["verify"]) { WorkingDirectory = runFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var name in verify.Environment.Keys.Where(k => k.StartsWith("ZIGGY_", StringComparison.OrdinalIgnoreCase)).ToList()) verify.Environment.Remove(name);
        verify.Environment["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = extractFolder;
        using var verifier = Process.Start(verify)!;
        var verifyOutput = await verifier.StandardOutput.ReadToEndAsync() + await verifier.StandardError.ReadToEndAsync();
        await verifier.WaitForExitAsync();
        Assert.True(verifier.ExitCode == 0, verifyOutput);
        Assert.Contains("Everything verified.", verifyOutput);

        await AssertClientVerbsAndHelpAsync(binary, extractFolder);

        // Started with no address at all, it listens where --help and README say (the same as `dotnet run`).
        var defaultFolder = Directory.CreateDirectory(Path.Combine(_root, "default-address")).FullName;
        var startDefault = new ProcessStartInfo(binary) { WorkingDirectory = defaultFolder };
        startDefault.Environment["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = extractFolder;
        ListeningAddressTests.AssertDefaultAddress(await ListeningAddressTests.StartAndStopAsync(startDefault, Path.Combine(defaultFolder, "data")));
    }

    /// <summary>The binary's client verbs work from an empty folder and leave it empty; its help names itself and the default address.</summary>
    private static async Task AssertClientVerbsAndHelpAsync(string binary, string extractFolder)
    {
        await using var api = await MachineApiStub.StartAsync();
        api.Secrets["STRIPE_API_KEY"] = "sk_live_CANARY-single-binary";
        var folder = Directory.CreateTempSubdirectory("ziggy-single-client-").FullName;
        try
        {
            var run = await RunAsync(folder, "run", "--server", api.BaseUrl, "--", "/usr/bin/env");
            var get = await RunAsync(folder, "get", "STRIPE_API_KEY", "--server", api.BaseUrl);
            var unreachable = await RunAsync(folder, "get", "STRIPE_API_KEY", "--server", $"http://127.0.0.1:{Ports.Free()}");
            var help = await RunAsync(folder, "--help");

            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains("STRIPE_API_KEY=sk_live_CANARY-single-binary\n", run.Output);
            Assert.Equal((0, "sk_live_CANARY-single-binary"), get);
            Assert.Equal(7, unreachable.ExitCode);
            Assert.StartsWith("ziggy-secrets: Cannot reach http://127.0.0.1:", unreachable.Output);
            Assert.Contains("Usage:\n  ziggy-secrets [command] [options]", help.Output);
            Assert.Contains("http://localhost:5080", help.Output);
            Assert.Empty(Directory.GetFileSystemEntries(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, params string[] args)
        {
            var start = new ProcessStartInfo(binary, args) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ZIGGY_", StringComparison.OrdinalIgnoreCase)).ToList()) start.Environment.Remove(name);
            start.Environment["ZIGGY_TOKEN"] = MachineApiStub.ValidToken;
            start.Environment["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = extractFolder;
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, output);
        }
    }

    /// <summary>Runs the documented publish command into <paramref name="outputFolder"/>; answers the binary's path.</summary>
    private string Publish(string outputFolder)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in PublishArguments) start.ArgumentList.Add(argument);
        start.ArgumentList.Add(outputFolder);
        // Intermediate files (obj, bin) in the test's folder too: a RID-specific restore in the repository's obj
        // would race the running tests' build and make the next plain build restore and compile again.
        start.ArgumentList.Add("--artifacts-path");
        start.ArgumentList.Add(Path.Combine(Path.GetDirectoryName(outputFolder)!, "artifacts"));
        // Whatever MSBuild state `dotnet test` left in the environment is not this build's.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        // No build server or node outlives the publish (they would hold its output pipes open).
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var clock = Stopwatch.StartNew();
        using var publish = Process.Start(start)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        if (!publish.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            publish.Kill(entireProcessTree: true);
            Assert.Fail("dotnet publish took more than 5 minutes.");
        }

        publish.WaitForExit();
        var text = stdout.Result + stderr.Result;
        log.WriteLine($"dotnet {string.Join(' ', start.ArgumentList)}: exit {publish.ExitCode} after {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(publish.ExitCode == 0, "dotnet publish failed:\n" + text);

        // One file, nothing beside it.
        Assert.Equal([BinaryName], Directory.GetFileSystemEntries(outputFolder).Select(entry => Path.GetFileName(entry)).ToArray());
        var binary = Path.Combine(outputFolder, BinaryName);
        log.WriteLine($"{BinaryName}: {new FileInfo(binary).Length / 1024.0 / 1024.0:F1} MiB");
        return binary;
    }

    private Process StartBinary(string binary, string workingDirectory, string extractFolder, int port)
    {
        var start = new ProcessStartInfo(binary)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ZIGGY_", StringComparison.OrdinalIgnoreCase)
                                                                || k.StartsWith("Ziggy__", StringComparison.OrdinalIgnoreCase)
                                                                || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                                                                || k.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = extractFolder;

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilHealthyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_app!.HasExited, "The binary exited:" + Output());
            try
            {
                var response = await client.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK && await response.Content.ReadAsStringAsync() == "ok") return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        Assert.Fail("The binary did not answer /healthz within 90 s:" + Output());
    }

    /// <summary>
    /// 200, a non-empty body of the expected content type and, for files of the repository, exactly that file's bytes.
    /// </summary>
    private async Task AssertAssetAsync(HttpClient client, string url, string contentType, string? sourceFile)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {response.StatusCode}" + Output());
        Assert.NotEmpty(body);
        Assert.Contains(contentType, response.Content.Headers.ContentType?.MediaType ?? "", StringComparison.Ordinal);
        if (sourceFile is not null) Assert.Equal(await File.ReadAllBytesAsync(WebProjectFile(sourceFile)), body);
    }

    private static async Task AssertCompressedAssetAsync(Uri baseAddress, string url, string sourceFile)
    {
        using var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = baseAddress };
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        await using var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var body = new MemoryStream();
        await gzip.CopyToAsync(body);
        Assert.Equal(await File.ReadAllBytesAsync(WebProjectFile(sourceFile)), body.ToArray());
    }

    private string Output() => "\n" + string.Join("\n", _output.TakeLast(60));


    private static string WebProjectFile(string relativePath) => Path.Combine(RepositoryRoot(), "Ziggy.Secrets.Web", relativePath);

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Ziggy.Secrets.sln"))) return folder.FullName;
        }

        throw new InvalidOperationException("Ziggy.Secrets.sln not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        if (_app is not null)
        {
            try
            {
                if (!_app.HasExited) _app.Kill(entireProcessTree: true);
                _app.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            _app.Dispose();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }
}
