using System.Diagnostics;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>The built app as a separate server process on a free loopback port, stopped when disposed.</summary>
public sealed class RunningApp : IDisposable
{
    private readonly Process _process;

    private RunningApp(Process process, string baseUrl, System.Text.StringBuilder output)
    {
        _process = process;
        _output = output;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    private readonly System.Text.StringBuilder _output;

    /// <summary>Everything the process printed so far, standard output and error (its log lines).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>
    /// Keeps an app process from watching its appsettings files: the inotify instances of the processes a test run starts
    /// count against the same per-user limit (128 by default) as those of the test hosts.
    /// </summary>
    public static readonly KeyValuePair<string, string> NoConfigWatchers = new("DOTNET_hostBuilder__reloadConfigOnChange", "false");

    public static async Task<RunningApp> StartAsync(Dictionary<string, string> environment)
    {
        var baseUrl = $"http://127.0.0.1:{Ports.Free()}";
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_URLS"] = baseUrl, ["ASPNETCORE_ENVIRONMENT"] = "Development", [NoConfigWatchers.Key] = NoConfigWatchers.Value },
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource();
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data?.Contains("Now listening on") == true) listening.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(90)));
        if (started != listening.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The app did not start on {baseUrl}.");
        }

        return new RunningApp(process, baseUrl, output);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
