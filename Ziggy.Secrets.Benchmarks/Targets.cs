using System.Globalization;
using System.Text;

namespace Ziggy.Secrets.Benchmarks;

/// <summary>One of the issue's targets and how this run measured against it; <see cref="Met"/> is null when it was not measured.</summary>
public sealed record Target(string What, string Goal, string Measured, bool? Met)
{
    public static Target NotMeasured(string what, string goal) => new(what, goal, "not measured in this run", null);
}

public static class Targets
{
    public static string ToMarkdown(IReadOnlyList<Target> targets)
    {
        var text = new StringBuilder();
        text.AppendLine("| target | goal | measured | |");
        text.AppendLine("|---|---|---|---|");
        foreach (var t in targets)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {t.What} | {t.Goal} | {t.Measured} | {t.Met switch { true => "met", false => "MISSED", null => "-" }} |");
        var measured = targets.Count(t => t.Met is not null);
        text.AppendLine(CultureInfo.InvariantCulture, $"Targets met: {targets.Count(t => t.Met == true)} of {measured} measured ({targets.Count - measured} not measured).");
        return text.ToString();
    }
}
