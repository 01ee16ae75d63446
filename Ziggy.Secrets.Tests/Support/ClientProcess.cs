using System.Diagnostics;
using System.Text;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>What a client verb printed and returned, and the files it left in the folder it ran in.</summary>
public sealed record ClientResult(int ExitCode, string Stdout, string Stderr, string[] FilesLeft);

/// <summary>
/// The built app's client verbs (<c>run</c>, <c>get</c>) as real processes, in an environment without any ZIGGY_ variable
/// of the test run's own and without a data folder: what a worker or a CI job does. Give the token in
/// <paramref name="environment"/> (ZIGGY_TOKEN) or a file.
/// </summary>
public static class ClientProcess
{
    public static async Task<ClientResult> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        var folder = Directory.CreateTempSubdirectory("ziggy-client-").FullName;
        using var process = Start(environment, folder, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"ziggy-secrets {string.Join(' ', args)} kept running.");
        }

        var files = Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories);
        Directory.Delete(folder, recursive: true);
        return new ClientResult(process.ExitCode, await stdout, await stderr, files);
    }

    /// <summary>Starts the verb with its standard output and error redirected; the caller waits for it.</summary>
    public static Process Start(Dictionary<string, string> environment, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ZIGGY_", StringComparison.OrdinalIgnoreCase)
                                                                || k.StartsWith("Ziggy__", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment[RunningApp.NoConfigWatchers.Key] = RunningApp.NoConfigWatchers.Value;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return Process.Start(start)!;
    }
}
