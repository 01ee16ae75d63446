using System.Net;
using System.Net.Sockets;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// The named rate-limiting policies of the pages that check a secret someone types (a password, a code, a link's
/// token). A page opts in with <c>[EnableRateLimiting(RateLimits.X)]</c> on its PageModel, so the limit belongs to the
/// endpoint the router picked, whatever spelling of its path was requested. Each counts the POSTs of one client address
/// (as the forwarded headers give it, behind a proxy) in a one-minute window; GETs only show the form and are not counted.
/// </summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string SecondFactor = "second-factor";
    public const string InvitationAcceptance = "invitation-acceptance";
    public const string PasswordReset = "password-reset";
    public const string Setup = "setup";

    public const int SignInAttemptsPerMinute = 10;

    public const string SignInMessage = "Too many sign-in attempts from your address. Wait a minute, then try again.";
    public const string SecondFactorMessage = "Too many codes tried from your address. Wait a minute, then try again.";
    public const string InvitationMessage = "Too many attempts to join from your address. Wait a minute, then try again.";
    public const string PasswordResetMessage = "Too many password reset attempts from your address. Wait a minute, then try again.";
    public const string SetupMessage = "Too many setup attempts from your address. Wait a minute, then try again.";

    public static IServiceCollection AddZiggyRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(SignIn, new PostsPerAddress(SignInAttemptsPerMinute, "Too many sign-in attempts", SignInMessage, "/Account/SignIn", "Back to sign in"));
            options.AddPolicy(SecondFactor, new PostsPerAddress(10, "Too many attempts", SecondFactorMessage, "/Account/SignIn", "Back to sign in"));
            options.AddPolicy(InvitationAcceptance, new PostsPerAddress(10, "Too many attempts", InvitationMessage, null, null));
            options.AddPolicy(PasswordReset, new PostsPerAddress(10, "Too many attempts", PasswordResetMessage, null, null));
            options.AddPolicy(Setup, new PostsPerAddress(10, "Too many attempts", SetupMessage, "/Setup", "Back to setup"));
        });

    /// <summary>
    /// The address a limit counts against. IPv6 clients are counted per /64, the block one subscriber is usually given:
    /// counting single addresses would let one client rotate through billions of them.
    /// </summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>At most <c>permitsPerMinute</c> POSTs a minute from one client address; a refusal is the page's own message.</summary>
    private sealed class PostsPerAddress(int permitsPerMinute, string title, string message, string? backPath, string? backText) : IRateLimiterPolicy<string>
    {
        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            HttpMethods.IsPost(httpContext.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(ClientKey(httpContext.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permitsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("not a post");

        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, cancellationToken) =>
        {
            var response = context.HttpContext.Response;
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.ContentType = "text/html; charset=utf-8";
            var html = HtmlEncoder.Default;
            var back = backPath is null ? "" : $"<p><a href=\"{html.Encode(backPath)}\">{html.Encode(backText!)}</a></p>";
            await response.WriteAsync(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">" +
                $"<title>{html.Encode(title)} · Ziggy Secrets</title><link rel=\"stylesheet\" href=\"/css/site.css\"></head>" +
                "<body><main class=\"content\"><section class=\"card narrow\">" +
                $"<h1>{html.Encode(title)}</h1><p class=\"alert alert-error\" role=\"alert\">{html.Encode(message)}</p>{back}" +
                "</section></main></body></html>", cancellationToken);
        };
    }
}
