using System.Security.Cryptography;

namespace Ziggy.Secrets.Web.Hosting;

/// <summary>
/// Headers every response carries. Scripts come only from our own files (no inline script, no eval); the style
/// elements AG Grid injects carry a per-request nonce (its styleNonce option). AG Grid also positions rows and cells
/// with style attributes, so those (and only those) are allowed: a style attribute cannot run script, and no page
/// renders user-supplied markup. Signed-in pages and fragments are never cached, except what a handler marks with
/// <see cref="RevalidateEveryTime"/>.
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public const string NonceItem = "ziggy.csp-nonce";

    private const string RevalidateItem = "ziggy.revalidate";

    private static readonly string[] StaticPrefixes = ["/lib/", "/css/", "/js/", "/_htmx/", "/favicon"];

    public static string Nonce(HttpContext context) => (string)context.Items[NonceItem]!;

    /// <summary>
    /// Lets the browser keep this one response, for this user only, and ask the server before every use (the response
    /// carries an ETag): <c>private, no-cache</c> instead of <c>no-store</c>. Only for answers that hold no value and no
    /// mask, whose every use is revalidated.
    /// </summary>
    public static void RevalidateEveryTime(HttpContext context) => context.Items[RevalidateItem] = true;

    public Task InvokeAsync(HttpContext context)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceItem] = nonce;
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy =
                "default-src 'self'; script-src 'self'; " +
                $"style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (context.Items.ContainsKey(RevalidateItem)) headers.CacheControl = "private, no-cache";
            else if (!StaticPrefixes.Any(p => context.Request.Path.StartsWithSegments(p.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)))
            {
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
            }

            if (context.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
