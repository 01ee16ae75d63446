using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>At most 10 sign-in attempts per minute from one address, on top of the per-account lockout.</summary>
public static class SignInRateLimit
{
    public const int AttemptsPerMinute = 10;
    public const string Message = "Too many sign-in attempts from your address. Wait a minute, then try again.";

    public static IServiceCollection AddZiggySignInRateLimit(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals("/Account/SignIn", StringComparison.OrdinalIgnoreCase)
                    ? RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = AttemptsPerMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter("other"));
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.ContentType = "text/html; charset=utf-8";
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await context.HttpContext.Response.WriteAsync(
                    $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts · Ziggy Secrets</title>" +
                    $"<link rel=\"stylesheet\" href=\"/css/site.css\"></head><body><main class=\"content\"><section class=\"card narrow\">" +
                    $"<h1>Too many attempts</h1><p class=\"alert alert-error\" role=\"alert\">{Message}</p>" +
                    $"<p><a href=\"/Account/SignIn\">Back to sign in</a></p></section></main></body></html>", cancellationToken);
            };
        });
}
