using System.Diagnostics;
using System.Globalization;

namespace Ziggy.Secrets.Benchmarks;

/// <summary>
/// Waits until the machine's CPUs are idle, from Linux's <c>/proc/stat</c>, before a measured browser navigation.
/// </summary>
/// <remarks>
/// Every measured run opens a new browser context, which headless Chromium shows as a new window. For each new window
/// Chromium 156 starts the window's own UI (a renderer for its omnibox popup, <c>chrome://omnibox-popup.top-chrome</c>)
/// that keeps a core busy for about 2 s. A navigation started right away would share a small machine's cores with it and
/// measure the window's start-up along with the page. A person's browser window is open before they go to the Secrets
/// page, so the run waits for the machine to settle, as it is when a user clicks a link, and reports how long that took
/// and how busy the machine still was.
/// </remarks>
public static class MachineIdle
{
    /// <summary>How long the wait took and the busy share of the last window (steal time, another VM's, left out).</summary>
    public readonly record struct Wait(double WaitedMs, double BusyPercent, bool Settled)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{WaitedMs:N0}, {BusyPercent:N0}%{(Settled ? "" : " (never idle)")}");
    }

    private const double IdleBusyPercent = 10;
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(15);

    /// <summary>Returns once a 250 ms window had the CPUs under 10% busy, or after 15 s (reported as never idle).</summary>
    public static async Task<Wait> WaitAsync()
    {
        var clock = Stopwatch.StartNew();
        var before = Read();
        double busy;
        do
        {
            await Task.Delay(Window);
            var now = Read();
            var total = now.Total - before.Total;
            busy = total <= 0 ? 0 : 100.0 * (now.Busy - before.Busy) / total;
            before = now;
            if (busy < IdleBusyPercent) return new Wait(clock.Elapsed.TotalMilliseconds, busy, true);
        }
        while (clock.Elapsed < Longest);

        return new Wait(clock.Elapsed.TotalMilliseconds, busy, false);
    }

    // The first line of /proc/stat: cpu user nice system idle iowait irq softirq steal ... in clock ticks, all CPUs.
    private static (long Busy, long Total) Read()
    {
        using var stat = new StreamReader("/proc/stat");
        var fields = stat.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(7)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6];
        return (busy, busy + fields[3] + fields[4]);
    }
}
