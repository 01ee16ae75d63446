using System.Text;
using Ziggy.Secrets.Web.Crypto;

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

        app.MapGet("/_bench/decrypts", (ISecretCipher cipher) => Results.Json(new { decrypts = cipher.DecryptCount })).AllowAnonymous();
        return app;
    }
}
