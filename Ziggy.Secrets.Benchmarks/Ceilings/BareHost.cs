using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Ziggy.Secrets.Benchmarks.Ceilings;

/// <summary>
/// The ceilings the app's HTTP scenarios are measured beside: the same kind of answer with nothing of the app in the way
/// (no database except the save's one transaction, no sign-in, no antiforgery, no page), from Kestrel in the benchmark's
/// own process on a loopback port of its own. The shipped app then has no benchmark endpoint and no switch to turn one on.
/// </summary>
/// <remarks>
/// Each ceiling answers what its scenario answers: the grid's rows as JSON of the same number of records (with an ETag,
/// and 304 to a request that sends it back), an HTML page of the same size, and a posted form answered after one raw
/// one-row SQLite transaction.
/// </remarks>
public sealed class BareHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RawSqliteTable _table;

    private BareHost(WebApplication app, RawSqliteTable table)
    {
        _app = app;
        _table = table;
    }

    private Dictionary<string, string>? _secrets;

    /// <summary>Sets the names and values that <c>/secrets</c> answers.</summary>
    public void ServeSecrets(Dictionary<string, string> secrets) => _secrets = secrets;

    public Uri BaseAddress => new(_app.Urls.Single());

    /// <summary>Starts the host on a free loopback port; the save's table is a file in <paramref name="folder"/>.</summary>
    public static async Task<BareHost> StartAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        // The content root is an empty folder of its own, so no appsettings file or ASPNETCORE_ setting of the
        // repository or the machine changes how the ceilings run.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = folder, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var table = new RawSqliteTable(Path.Combine(folder, "bare-save.db"));
        MapRows(app);
        MapPage(app);
        MapSave(app, table);
        var host = new BareHost(app, table);
        // The API ceiling: the names and values the app's API answered, as JSON, without token, database or decryption.
        app.MapGet("/secrets", () => host._secrets is { } secrets ? Results.Json(secrets) : Results.NotFound());
        await app.StartAsync();
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _table.Dispose();
    }

    private sealed record PlainRow(Guid Id, string Name, string Description, bool Dev, bool Staging, bool Prod, string Owner, DateTimeOffset Created);

    // Built once per count: the ceiling is the serialization and the sending, not making the records.
    private static void MapRows(WebApplication app)
    {
        var built = new Dictionary<int, (PlainRow[] Rows, EntityTagHeaderValue ETag)>();
        app.MapGet("/rows", (int count, HttpContext context) =>
        {
            PlainRow[] rows;
            EntityTagHeaderValue etag;
            lock (built)
            {
                if (!built.TryGetValue(count, out var entry))
                {
                    entry = (Enumerable.Range(0, count).Select(i => new PlainRow(
                        Guid.NewGuid(), $"SECRET_{i:D5}", $"Benchmark secret {i}", true, true, true, "Bench Owner", DateTimeOffset.UtcNow)).ToArray(),
                        new EntityTagHeaderValue($"\"bare-{count}-{Guid.NewGuid():N}\""));
                    built[count] = entry;
                }

                (rows, etag) = entry;
            }

            var headers = context.Response.GetTypedHeaders();
            headers.ETag = etag;
            headers.CacheControl = new CacheControlHeaderValue { Private = true, NoCache = true };
            return context.Request.GetTypedHeaders().IfNoneMatch.Any(t => t.Compare(etag, useStrongComparison: false))
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Json(rows);
        });
    }

    private static void MapPage(WebApplication app)
    {
        var pages = new Dictionary<int, string>();
        app.MapGet("/page", (int bytes) =>
        {
            string page;
            lock (pages)
            {
                if (!pages.TryGetValue(bytes, out page!))
                    pages[bytes] = page = "<!DOCTYPE html><html><body>" + new string('x', Math.Max(0, bytes - 41)) + "</body></html>";
            }

            return Results.Content(page, "text/html; charset=utf-8", Encoding.UTF8);
        });
    }

    // The form is read, as the app reads every posted form, then one transaction commits. Writers take turns on the one
    // connection, as the app's writers take turns on its database file.
    private static void MapSave(WebApplication app, RawSqliteTable table)
    {
        var writer = new SemaphoreSlim(1, 1);
        app.MapPost("/save", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            if (form.Count == 0) return Results.BadRequest();
            await writer.WaitAsync(context.RequestAborted);
            try
            {
                return Results.Json(new { rows = table.InsertOne() });
            }
            finally
            {
                writer.Release();
            }
        });
    }
}
