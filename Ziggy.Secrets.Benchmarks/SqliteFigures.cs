using System.Text.Json;

namespace Ziggy.Secrets.Benchmarks;

/// <summary>
/// The p50 of each scenario of the last SQLite scale run with many organizations, kept in the <c>--data</c> folder so that a
/// PostgreSQL run on the same folder can compare itself with it.
/// </summary>
public sealed record SqliteFigures(int Organizations, int SecretsPerOrganization, Dictionary<string, double> P50Ms)
{
    public const string FileName = "sqlite-figures.json";

    public static void Write(ScaleOptions options, IEnumerable<Figures> figures) =>
        File.WriteAllText(Path.Combine(options.DataRoot, FileName),
            JsonSerializer.Serialize(new SqliteFigures(options.Organizations, options.SecretsPerOrganization, figures.ToDictionary(f => f.Scenario, f => f.P50Ms))));

    /// <summary>
    /// The figures of a SQLite run in <paramref name="options"/>' data folder whose measured organization had as many
    /// secrets (the scenarios read one organization: the SQLite run shows how little the others' data changes them);
    /// null when there is none.
    /// </summary>
    public static SqliteFigures? Read(ScaleOptions options)
    {
        var path = Path.Combine(options.DataRoot, FileName);
        var figures = File.Exists(path) ? JsonSerializer.Deserialize<SqliteFigures>(File.ReadAllText(path)) : null;
        return figures is not null && figures.SecretsPerOrganization == options.SecretsPerOrganization ? figures : null;
    }
}
