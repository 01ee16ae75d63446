using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Hosting;

/// <summary>
/// <c>/healthz</c>: the process answers. <c>/readyz</c>: the database is reachable, the master key is loaded and every
/// migration is applied. Neither needs a sign-in, and neither says anything about the data.
/// </summary>
public static class HealthEndpoints
{
    public static WebApplication MapZiggyHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().DisableAntiforgery();
        app.MapGet("/readyz", async (ZiggyDbContext db, SecretCipherHost keys, CancellationToken cancellationToken) =>
        {
            var checks = new Dictionary<string, bool>
            {
                ["database"] = await db.Database.CanConnectAsync(cancellationToken),
                ["masterKey"] = keys.IsOpen,
            };
            checks["migrations"] = checks["database"] && !(await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any();
            var ready = checks.Values.All(ok => ok);
            return Results.Json(new { status = ready ? "ready" : "not ready", checks }, statusCode: ready ? 200 : 503);
        }).AllowAnonymous();
        return app;
    }
}
