using System.Text;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Hosting;

/// <summary>
/// The ceilings the benchmark compares against, in the same process: the same work without database, authentication or
/// pages. They exist only when <c>Ziggy:Benchmark:Enabled</c> is true (the benchmark sets it); never in a normal run.
/// </summary>
public static class BenchmarkEndpoints
{
    public const string EnabledKey = "Ziggy:Benchmark:Enabled";

    private sealed record PlainRow(Guid Id, string Name, string Description, bool Dev, bool Staging, bool Prod, string Owner, DateTimeOffset Created);

    public static WebApplication MapZiggyBenchmarkCeilings(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>(EnabledKey)) return app;

        var rowsCache = new Dictionary<int, PlainRow[]>();
        app.MapGet("/_bench/rows", (int count) =>
        {
            PlainRow[] rows;
            lock (rowsCache)
            {
                if (!rowsCache.TryGetValue(count, out rows!))
                    rowsCache[count] = rows = Enumerable.Range(0, count).Select(i => new PlainRow(
                        Guid.NewGuid(), $"SECRET_{i:D5}", "", true, true, true, "Bench Owner", DateTimeOffset.UtcNow)).ToArray();
            }

            return Results.Json(rows);
        }).AllowAnonymous();

        var pages = new Dictionary<int, string>();
        app.MapGet("/_bench/page", (int bytes) =>
        {
            string page;
            lock (pages)
            {
                if (!pages.TryGetValue(bytes, out page!))
                    pages[bytes] = page = "<!DOCTYPE html><html><body>" + new string('x', Math.Max(0, bytes - 41)) + "</body></html>";
            }

            return Results.Content(page, "text/html; charset=utf-8", Encoding.UTF8);
        }).AllowAnonymous();

        // The save's ceiling over HTTP: a posted form (read like every form, by FormReadGuardMiddleware) answered after one
        // raw one-row transaction on a file of its own in the data folder, with the app's durability settings. Writers
        // take turns, as the app's writers do on their database.
        var raw = new Lazy<RawSqliteTable>(() => new RawSqliteTable(Path.Combine(DataFolder.Resolve(app.Configuration), "bench-raw.db")));
        var writer = new SemaphoreSlim(1, 1);
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            if (raw.IsValueCreated) raw.Value.Dispose();
        });
        app.MapPost("/_bench/raw-save", async () =>
        {
            await writer.WaitAsync();
            try
            {
                return Results.Json(new { rows = raw.Value.InsertOne() });
            }
            finally
            {
                writer.Release();
            }
        }).AllowAnonymous().DisableAntiforgery();

        app.MapGet("/_bench/decrypts", (ISecretCipher cipher) => Results.Json(new { decrypts = cipher.DecryptCount })).AllowAnonymous();
        return app;
    }
}
