using System.Diagnostics;

namespace Ziggy.Secrets.Benchmarks;

public sealed record Figures(string Scenario, double RequestsPerSecond, double P50Ms, double P99Ms, int Errors);

/// <summary>A fixed number of concurrent connections, each sending requests back to back for a fixed time.</summary>
public static class LoadClient
{
    /// <summary>
    /// Load before measuring, not counted. A few requests were not enough: a profile showed the runtime still compiling the
    /// hot paths at full optimization (tiered JIT) in the measured window, a quarter of the CPU on the save path.
    /// </summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static async Task<Figures> RunAsync(string scenario, int connections, TimeSpan duration, Func<int, Task<bool>> request)
    {
        var warming = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            while (warming.Elapsed < WarmUp) await request(c);
        }));

        var latencies = new List<double>[connections];
        var errors = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            var mine = latencies[c] = new List<double>(100_000);
            while (stopwatch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await request(c);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!ok) Interlocked.Increment(ref errors);
            }
        }));
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Figures(scenario, all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), errors);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)];
}
