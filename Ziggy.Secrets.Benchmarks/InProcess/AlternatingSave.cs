using System.Diagnostics;

namespace Ziggy.Secrets.Benchmarks.InProcess;

/// <summary>Per-operation medians of the save and its floor over rounds that alternate between them.</summary>
public sealed record AlternatingFigures(int Rounds, int PerRound, double SaveMicroseconds, double FloorMicroseconds, double LowestRoundRatio, double HighestRoundRatio)
{
    public double Ratio => FloorMicroseconds / SaveMicroseconds;
}

/// <summary>
/// The save beside its floor with the two interleaved: rounds of saves, each followed by a round of raw transactions.
/// BenchmarkDotNet measures one method after the other, about half a minute apart, and on a shared VM how long a sync of
/// the disk takes drifts from one minute to the next: alternating rounds lets both see the same disk, as the HTTP
/// scenarios run beside their ceilings.
/// </summary>
public static class AlternatingSave
{
    public static async Task<AlternatingFigures> RunAsync(int rounds = 12, int perRound = 500)
    {
        var benchmark = new SaveBenchmarks();
        await benchmark.SetUpAsync();
        try
        {
            // Warm: the JIT's optimized code for both, and the WAL past its first checkpoints.
            for (var i = 0; i < perRound; i++)
            {
                await benchmark.Save();
                benchmark.RawSqliteTransaction();
            }

            var saves = new List<double>();
            var floors = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < perRound; i++) await benchmark.Save();
                saves.Add(clock.Elapsed.TotalMicroseconds / perRound);
                clock.Restart();
                for (var i = 0; i < perRound; i++) benchmark.RawSqliteTransaction();
                floors.Add(clock.Elapsed.TotalMicroseconds / perRound);
            }

            var roundRatios = floors.Zip(saves, (floor, save) => floor / save).ToList();
            return new AlternatingFigures(rounds, perRound, Statistics.Median(saves), Statistics.Median(floors), roundRatios.Min(), roundRatios.Max());
        }
        finally
        {
            benchmark.CleanUp();
        }
    }
}
