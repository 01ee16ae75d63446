using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Ziggy.Secrets.Benchmarks.InProcess;

/// <summary>One benchmark's result as BenchmarkDotNet measured it; allocations are null when they were not measured.</summary>
public sealed record BenchmarkFigure(string Name, double MeanMicroseconds, long? AllocatedBytesPerOperation)
{
    public double OperationsPerSecond => 1_000_000 / MeanMicroseconds;
}

/// <summary>The app's operation beside its floor, measured in one BenchmarkDotNet run.</summary>
public sealed record PairFigures(BenchmarkFigure App, BenchmarkFigure Floor)
{
    /// <summary>Floor mean / <paramref name="figure"/>'s mean (= its ops/s / the floor's): the share of its time the floor alone would need.</summary>
    public double RatioOf(BenchmarkFigure figure) => Floor.MeanMicroseconds / figure.MeanMicroseconds;
}

/// <summary>Runs the in-process BenchmarkDotNet classes and hands back their figures; asserts nothing (benchmarks are not tests).</summary>
public static class InProcessFigures
{
    /// <summary>Resolving the 10 secrets of an integration run beside 10 raw NSec decrypts.</summary>
    public static PairFigures RunResolve() => Run<ResolveBenchmarks>(nameof(ResolveBenchmarks.Resolve), nameof(ResolveBenchmarks.RawNSecDecrypt));

    /// <summary>Saving one value through SecretService beside a raw one-row SQLite transaction.</summary>
    public static PairFigures RunSave() => Run<SaveBenchmarks>(nameof(SaveBenchmarks.Save), nameof(SaveBenchmarks.RawSqliteTransaction));

    private static PairFigures Run<T>(string app, string floor)
    {
        // BenchmarkDotNet writes its log and results under the artifacts path: a temp folder, never the repository.
        var artifacts = Path.Combine(Path.GetTempPath(), "ziggy-bench-bdn-" + Guid.NewGuid().ToString("N"));
        var summary = BenchmarkRunner.Run<T>(ManualConfig.CreateMinimumViable().WithArtifactsPath(artifacts));
        var measured = Figure(summary, app);
        var baseline = Figure(summary, floor);
        // Kept when a benchmark failed, so the exception can point at the log.
        Directory.Delete(artifacts, recursive: true);
        return new PairFigures(measured, baseline);
    }

    private static BenchmarkFigure Figure(Summary summary, string method)
    {
        var report = summary.Reports.SingleOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method);
        if (report?.ResultStatistics is not { } statistics)
            throw new InvalidOperationException($"BenchmarkDotNet measured nothing for {method}: see {summary.LogFilePath}.");
        return new BenchmarkFigure(method, statistics.Mean / 1_000, report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase));
    }
}
