using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Ziggy.Secrets.Benchmarks.Seeding;
using static Ziggy.Secrets.Benchmarks.AppHttp;

namespace Ziggy.Secrets.Benchmarks;

/// <summary>
/// The organizations' scenarios on PostgreSQL: a throwaway cluster (<see cref="PostgresCluster"/>) seeded with N
/// organizations of M secrets through the app's data layer, then two app instances on it sharing one master key, with
/// the load client's connections spread over both, beside the same scenarios against one instance alone.
/// </summary>
public static class PostgresScale
{
    public static async Task<List<Target>> RunAsync(string published, ScaleOptions options)
    {
        using var cluster = PostgresCluster.Start();
        const string Database = "ziggy_bench";
        cluster.CreateDatabase(Database);
        var masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var environment = new Dictionary<string, string>
        {
            ["ZIGGY_DATABASE_PROVIDER"] = "Postgres", ["ZIGGY_DATABASE_CONNECTION"] = cluster.ConnectionString(Database), ["ZIGGY_MASTER_KEY"] = masterKey,
        };
        var (first, second) = (Path.Combine(options.DataRoot, "pg-first"), Path.Combine(options.DataRoot, "pg-second"));

        Console.WriteLine($"PostgreSQL: seeding {options.Organizations:N0} organizations of {options.SecretsPerOrganization:N0} secrets...");
        var clock = Stopwatch.StartNew();
        await using (var app = await RunningApp.StartAsync(published, first, environment))
        {
            var setup = await Document(app.Http, "/Setup");
            await Post(app.Http, setup, "form", new()
            {
                ["Input.OrganizationName"] = "Bench organization 00000", ["Input.DisplayName"] = "Owner 00000", ["Input.Email"] = OrganizationSeeder.OwnerEmail(0),
                ["Input.Password"] = OrganizationSeeder.Password, ["Input.ConfirmPassword"] = OrganizationSeeder.Password,
            });
        }

        long values;
        var (services, key) = HistorySeeder.Compose(Path.Combine(options.DataRoot, "pg-seeding"), new Dictionary<string, string?>
        {
            ["Ziggy:Database:Provider"] = "Postgres", ["Ziggy:Database:ConnectionString"] = cluster.ConnectionString(Database), ["Ziggy:MasterKey"] = masterKey,
        });
        using (key)
        await using (services)
        {
            var (organization, owner) = await OrganizationSeeder.SetUpOrganizationAsync(services);
            values = await OrganizationSeeder.AddSecretsAsync(services, organization, owner, options.SecretsPerOrganization, progress: null);
            values += await OrganizationSeeder.AddOrganizationsAsync(services, 1, options.Organizations - 1, options.SecretsPerOrganization, Console.Out);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var seeding = $"Seeded {values:N0} values at {values / seconds:N0} values/s in {seconds:N0} s; database {cluster.DatabaseMb(Database):N0} MB.";

        var cookies = new CookieContainer();
        await using var one = await RunningApp.StartAsync(published, first, environment, cookies);
        await using var two = await RunningApp.StartAsync(published, second, environment, cookies);
        // One sign-in: the session and the cookie keys are in the database, so the other instance accepts the same cookie.
        await OrganizationScale.SignInAsync(one.Http);
        Console.WriteLine("PostgreSQL: measuring with two instances, then with one...");
        var both = await OrganizationScale.ScenariosAsync([one.Http, two.Http], options);
        var alone = await OrganizationScale.ScenariosAsync([one.Http], options);
        var extras = await OrganizationScale.ExtrasAsync(one, options);

        Console.WriteLine();
        Console.WriteLine($"PostgreSQL, {options.Organizations:N0} organizations of {options.SecretsPerOrganization:N0} secrets, two app instances on one database " +
                          $"beside one instance alone ({options.Connections} connections, {options.Duration.TotalSeconds:N0} s per scenario). {seeding}");
        Console.WriteLine();
        var sqlite = SqliteFigures.Read(options);
        Console.WriteLine(sqlite is null ? "No SQLite figures to compare with (run the SQLite scale run on the same --data first)."
            : $"SQLite p50s from the SQLite run on the same --data ({sqlite.Organizations:N0} organizations of {sqlite.SecretsPerOrganization:N0} secrets).");
        Console.WriteLine();
        Console.WriteLine("| scenario | 2 instances req/s | 1 instance req/s | req/s ratio | 2 instances p50 ms | 1 instance p50 ms | 2 instances p99 ms | 1 instance p99 ms | SQLite p50 ms | failed or not as expected |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var targets = new List<Target>();
        foreach (var (a, b) in both.Zip(alone))
        {
            var wrong = a.Errors + a.Unexpected + b.Errors + b.Unexpected;
            var onSqlite = sqlite?.P50Ms.GetValueOrDefault(a.Scenario);
            Console.WriteLine($"| {a.Scenario} | {a.RequestsPerSecond:N0} | {b.RequestsPerSecond:N0} | {a.RequestsPerSecond / b.RequestsPerSecond:N2} | {a.P50Ms:N2} | {b.P50Ms:N2} | " +
                              $"{a.P99Ms:N2} | {b.P99Ms:N2} | {onSqlite?.ToString("N2") ?? "-"} | {wrong:N0} |");
            targets.Add(onSqlite is { } p50
                ? new Target($"PostgreSQL, two instances: {a.Scenario}", "p50 within 2x of SQLite's, every answer as expected",
                    $"{a.P50Ms / p50:N2}x ({p50:N2} ms on SQLite, {a.P50Ms:N2} ms){(wrong == 0 ? "" : $", {wrong:N0} failed or not as expected")}", a.P50Ms <= 2 * p50 && wrong == 0)
                : Target.NotMeasured($"PostgreSQL, two instances: {a.Scenario}", "p50 within 2x of SQLite's (needs a SQLite run of the same sizes on the same --data)"));
            if (a.Scenario.StartsWith("Save", StringComparison.Ordinal) || a.Scenario.StartsWith("API read", StringComparison.Ordinal))
                targets.Add(new Target($"PostgreSQL: {a.Scenario}, two instances vs one", "two instances serve more a second than one",
                    $"{a.RequestsPerSecond:N0} vs {b.RequestsPerSecond:N0} req/s ({a.RequestsPerSecond / b.RequestsPerSecond:N2}x)", a.RequestsPerSecond > b.RequestsPerSecond && wrong == 0));
        }

        targets.AddRange(OrganizationScale.PrintExtras(extras, "PostgreSQL, one instance"));
        var run = extras.Integration.Run;
        if (sqlite?.P50Ms.GetValueOrDefault(run.Scenario) is { } runOnSqlite and > 0)
            targets.Add(new Target($"PostgreSQL: {run.Scenario}", "p50 within 2x of SQLite's", $"{run.P50Ms / runOnSqlite:N2}x ({runOnSqlite:N2} ms on SQLite, {run.P50Ms:N2} ms)",
                run.P50Ms <= 2 * runOnSqlite && run.Errors == 0 && run.Unexpected == 0));

        Console.WriteLine();
        Console.WriteLine($"Peak RSS of the app processes: {PeakRssMb(one.Process.Id):N0} MB and {PeakRssMb(two.Process.Id):N0} MB.");
        if (FailedAnswersLine() is { Length: > 0 } failed) Console.WriteLine(failed);
        return targets;
    }
}
