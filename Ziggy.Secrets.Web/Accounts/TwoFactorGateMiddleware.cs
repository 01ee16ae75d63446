using Htmx;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// A signed-in member whose organization requires two-factor sign-in of them, and who has not set it up, can use no
/// page but the Two-factor page (and sign out) until they have: every other page redirects there, and an htmx request
/// is told to go there (HX-Redirect) instead of getting a fragment. Static files and health checks are not pages.
/// </summary>
public sealed class TwoFactorGateMiddleware(RequestDelegate next)
{
    public const string EnrolmentPage = "/Account/TwoFactor";

    private const string RequiredItem = "ziggy.two-factor-enrolment-required";

    // Page paths as routing resolved them, so no spelling of a URL (case, a trailing slash, /Index) gets past.
    private static readonly HashSet<string> OpenPages = new(StringComparer.OrdinalIgnoreCase) { EnrolmentPage, "/Account/SignOut", "/Error" };

    /// <summary>
    /// Called by the session check (<see cref="SessionValidator"/>), which reads the user and their organization's
    /// requirement from the database on every request anyway: the gate costs no query of its own.
    /// </summary>
    public static void MarkEnrolmentRequired(HttpContext context) => context.Items[RequiredItem] = true;

    public async Task InvokeAsync(HttpContext context)
    {
        var page = context.GetEndpoint()?.Metadata.GetMetadata<PageActionDescriptor>();
        if (page is not null && context.Items.ContainsKey(RequiredItem) && !OpenPages.Contains(page.ViewEnginePath))
        {
            if (context.Request.IsHtmx()) context.Response.Htmx(h => h.Redirect(EnrolmentPage));
            else context.Response.Redirect(EnrolmentPage);
            return;
        }

        await next(context);
    }
}
