using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.AspNetCore.Http.Features;

namespace Ziggy.Secrets.Web.Hosting;

/// <summary>
/// One rule for every cookie the app sets (the sign-in cookie, the antiforgery cookie, any other): HttpOnly and
/// SameSite=Strict always, and over HTTPS Secure, Path=/, no Domain and named with the <c>__Host-</c> prefix. Browsers
/// accept a <c>__Host-</c> cookie only from a secure origin and only for this host, so a sibling subdomain or a plain-HTTP
/// page cannot plant or overwrite one. Over HTTPS only prefixed cookies are read (a plain one may have been planted);
/// over plain HTTP (local use), where browsers would refuse the prefix, plain names are used. The code that sets and reads
/// cookies keeps using plain names.
/// </summary>
public static class HostPrefixedCookies
{
    public const string Prefix = "__Host-";

    public static WebApplication UseHostPrefixedCookies(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (context.Request.IsHttps)
            {
                var sent = context.Features.Get<IRequestCookiesFeature>()?.Cookies ?? new RequestCookiesFeature(context.Features).Cookies;
                context.Features.Set<IRequestCookiesFeature>(new RequestCookiesFeature(new PrefixedCookies(sent)));
            }

            return next(context);
        });
        app.UseCookiePolicy(new CookiePolicyOptions
        {
            HttpOnly = HttpOnlyPolicy.Always,
            MinimumSameSitePolicy = SameSiteMode.Strict,
            Secure = CookieSecurePolicy.SameAsRequest,
            OnAppendCookie = cookie => cookie.CookieName = Name(cookie.Context, cookie.CookieName, cookie.CookieOptions),
            OnDeleteCookie = cookie => cookie.CookieName = Name(cookie.Context, cookie.CookieName, cookie.CookieOptions),
        });
        return app;
    }

    private static string Name(HttpContext context, string name, CookieOptions options)
    {
        if (!context.Request.IsHttps) return name;
        options.Secure = true;
        options.Domain = null;
        options.Path = "/";
        return Prefix + name;
    }

    /// <summary>The request's <c>__Host-</c> cookies under their plain names; no other cookie.</summary>
    private sealed class PrefixedCookies(IRequestCookieCollection sent) : IRequestCookieCollection
    {
        private readonly Dictionary<string, string> _cookies = sent
            .Where(c => c.Key.StartsWith(Prefix, StringComparison.Ordinal) && c.Key.Length > Prefix.Length)
            .GroupBy(c => c.Key[Prefix.Length..], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.OrdinalIgnoreCase);

        public string? this[string key] => _cookies.GetValueOrDefault(key);

        public int Count => _cookies.Count;

        public ICollection<string> Keys => _cookies.Keys;

        public bool ContainsKey(string key) => _cookies.ContainsKey(key);

        public bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => _cookies.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _cookies.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
