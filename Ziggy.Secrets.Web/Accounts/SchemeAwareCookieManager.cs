using Microsoft.AspNetCore.Authentication.Cookies;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// Over HTTPS the auth cookie is named with the <c>__Host-</c> prefix, which browsers accept only when it is Secure,
/// has no Domain and has Path=/: it cannot be planted or overwritten by a sibling subdomain. Over plain HTTP (local
/// use) browsers would refuse such a cookie, so the plain name is used there.
/// </summary>
public sealed class SchemeAwareCookieManager : ICookieManager
{
    private readonly ChunkingCookieManager _inner = new();

    private static string Name(HttpContext context, string key) => context.Request.IsHttps ? "__Host-" + key : key;

    public string? GetRequestCookie(HttpContext context, string key) => _inner.GetRequestCookie(context, Name(context, key));

    public void AppendResponseCookie(HttpContext context, string key, string? value, CookieOptions options) =>
        _inner.AppendResponseCookie(context, Name(context, key), value, Secure(context, options));

    public void DeleteCookie(HttpContext context, string key, CookieOptions options) =>
        _inner.DeleteCookie(context, Name(context, key), Secure(context, options));

    private static CookieOptions Secure(HttpContext context, CookieOptions options)
    {
        if (!context.Request.IsHttps) return options;
        options.Secure = true;
        options.Domain = null;
        options.Path = "/";
        return options;
    }
}
