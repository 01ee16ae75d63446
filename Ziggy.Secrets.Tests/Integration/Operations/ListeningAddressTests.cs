using System.Diagnostics;
using System.Text;
using Ziggy.Secrets.Tests.Support;

namespace Ziggy.Secrets.Tests.Integration.Operations;

/// <summary>The built app started without any listening address listens on the one documented default.</summary>
public sealed class ListeningAddressTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ziggy-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Serve_NoAddressGiven_ListensOnLocalhost5080()
    {
        var output = await StartAndStopAsync(_folder, "serve");

        AssertDefaultAddress(output);
    }

    [Fact]
    public async Task Serve_UrlsOption_WinsOverTheDefault()
    {
        var port = Ports.Free();

        var first = await StartAndStopAsync(_folder, "--urls", $"http://127.0.0.1:{port}");
        var second = await StartAndStopAsync(_folder, "serve", "--urls", $"http://127.0.0.1:{port}");

        Assert.Contains($"Now listening on: http://127.0.0.1:{port}", first);
        Assert.Contains($"Now listening on: http://127.0.0.1:{port}", second);
        Assert.DoesNotContain("5080", first + second);
    }

    /// <summary>
    /// Port 5080 may be taken on a shared machine (another copy of the app): then the app's refusal names the address it
    /// tried, which proves the default just as well.
    /// </summary>
    internal static void AssertDefaultAddress(string output)
    {
        var listening = output.Contains("Now listening on: http://localhost:5080", StringComparison.Ordinal);
        var taken = output.Contains("address already in use", StringComparison.OrdinalIgnoreCase) && output.Contains("localhost:5080", StringComparison.Ordinal);
        Assert.True(listening || taken, "Not on http://localhost:5080:\n" + output);
        Assert.DoesNotContain(":5000", output);
    }

    /// <summary>
    /// Starts the app with no ZIGGY_URLS, ASPNETCORE_URLS or launch profile, waits until it listens or exits, stops it and
    /// answers what it printed.
    /// </summary>
    internal static Task<string> StartAndStopAsync(string dataFolder, params string[] args) =>
        StartAndStopAsync(new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, .. args]), dataFolder);

    /// <summary>The same for any way of starting the app (the single binary): <paramref name="start"/> names the program.</summary>
    internal static async Task<string> StartAndStopAsync(ProcessStartInfo start, string dataFolder)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ZIGGY_", StringComparison.OrdinalIgnoreCase)
                                                                || k.EndsWith("_URLS", StringComparison.OrdinalIgnoreCase)
                                                                || k.EndsWith("_PORTS", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["ZIGGY_DATA_DIR"] = dataFolder;
        start.Environment[RunningApp.NoConfigWatchers.Key] = RunningApp.NoConfigWatchers.Value;

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource();
        void Collect(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            if (line.Contains("Now listening on", StringComparison.Ordinal)) listening.TrySetResult();
        }

        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        lock (output) return output.ToString();
    }
}
