using System.Diagnostics;

namespace Ziggy.Secrets.Benchmarks;

/// <summary>How one request went: the answer its scenario expects, another good answer (a 200 where a 304 was expected), or a failure.</summary>
public enum Answer
{
    Expected,
    Unexpected,
    Failed,
}

/// <summary>
/// One scenario's measured window: requests a second, latency percentiles, how many requests were sent, how many got a
/// good answer other than the expected one, and how many failed.
/// </summary>
public sealed record Figures(string Scenario, double RequestsPerSecond, double P50Ms, double P99Ms, int Requests, int Unexpected, int Errors);

/// <summary>A fixed number of concurrent connections, each sending requests back to back for a fixed time.</summary>
public static class LoadClient
{
    /// <summary>
    /// Load before measuring, not counted (<c>--warm-up</c>): long enough for the runtime's tiered JIT to have recompiled
    /// the hot paths with full optimization, which a handful of requests is not. Under saves, a freshly started app keeps
    /// its tiered-compilation thread busy for about 15 s; figures taken earlier measure the compiler as much as the app.
    /// </summary>
    public static TimeSpan WarmUp { get; set; } = TimeSpan.FromSeconds(20);

    public static async Task<Figures> RunAsync(string scenario, int connections, TimeSpan duration, Func<int, Task<Answer>> request)
    {
        var warming = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            while (warming.Elapsed < WarmUp) await request(c);
        }));

        var latencies = new List<double>[connections];
        var unexpected = 0;
        var errors = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            var mine = latencies[c] = new List<double>(100_000);
            while (stopwatch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var answer = await request(c);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (answer == Answer.Unexpected) Interlocked.Increment(ref unexpected);
                if (answer == Answer.Failed) Interlocked.Increment(ref errors);
            }
        }));
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Figures(scenario, all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), all.Length, unexpected, errors);
    }

    public static Answer Expect(bool ok) => ok ? Answer.Expected : Answer.Failed;

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)];
}
