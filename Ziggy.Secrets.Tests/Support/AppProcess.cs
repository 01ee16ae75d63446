using System.Diagnostics;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>The built app as its own process, for what only a real start shows (start-up refusals, key files).</summary>
public static class AppProcess
{
    /// <summary>
    /// Starts the app on <paramref name="dataFolder"/>. With <paramref name="waitForStart"/> it waits until the app listens,
    /// then stops it; otherwise it waits for the app to exit by itself. Answers the exit code and everything printed.
    /// </summary>
    public static (int ExitCode, string Output) Run(string dataFolder, Dictionary<string, string>? environment = null, bool waitForStart = false,
        params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment =
            {
                ["ZIGGY_DATA_DIR"] = dataFolder, ["ASPNETCORE_URLS"] = "http://127.0.0.1:0", ["ZIGGY_MASTER_KEY"] = "",
                [RunningApp.NoConfigWatchers.Key] = RunningApp.NoConfigWatchers.Value,
            },
        };
        foreach (var (key, value) in environment ?? []) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = new System.Text.StringBuilder();
        var started = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            lock (stdout) stdout.AppendLine(e.Data);
            if (e.Data?.Contains("Now listening on") == true) started.TrySetResult();
        };
        process.BeginOutputReadLine();
        if (waitForStart)
        {
            Assert.True(started.Task.Wait(TimeSpan.FromSeconds(60)), "The app did not start:\n" + Text());
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (0, Text());
        }

        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "The app kept running.");
        process.WaitForExit(); // and until its output is drained
        return (process.ExitCode, stderr.Result.Trim() + Text());

        string Text()
        {
            lock (stdout) return stdout.ToString();
        }
    }
}
