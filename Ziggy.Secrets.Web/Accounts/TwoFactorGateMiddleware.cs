using Htmx;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// A signed-in member whose organization requires two-factor sign-in of them, and who has not set it up, can use no
/// page but the Two-factor page (and sign out) until they have: every other page redirects there, and an htmx request
/// is told to go there (HX-Redirect) instead of getting a fragment. Static files and health checks are not pages.
/// </summary>
public sealed class TwoFactorGateMiddleware(RequestDelegate next)
{
    public const string EnrolmentPage = "/Account/TwoFactor";

    // Page paths as routing resolved them, so no spelling of a URL (case, a trailing slash, /Index) gets past.
    private static readonly HashSet<string> OpenPages = new(StringComparer.OrdinalIgnoreCase) { EnrolmentPage, "/Account/SignOut", "/Error" };

    // Runs on every page request of a signed-in user: only the columns the decision needs, through a compiled query.
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, Task<Pending?>>> PendingEnrolment = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext db, Guid id) => db.Users.AsNoTracking()
            .Where(u => u.Id == id && !u.TwoFactorEnabled && u.Organization!.TwoFactorRequirement != TwoFactorRequirement.Off)
            .Select(u => new Pending(u.Role, u.Organization!.TwoFactorRequirement))
            .FirstOrDefault()));

    private sealed record Pending(Role Role, TwoFactorRequirement Requirement);

    public async Task InvokeAsync(HttpContext context, ZiggyDbContext db)
    {
        var page = context.GetEndpoint()?.Metadata.GetMetadata<PageActionDescriptor>();
        if (page is not null && !OpenPages.Contains(page.ViewEnginePath) && CurrentUser.From(context.User) is { } me
            && await PendingEnrolment.For(db)(db, me.UserId) is { } pending && pending.Requirement.AppliesTo(pending.Role))
        {
            if (context.Request.IsHtmx()) context.Response.Htmx(h => h.Redirect(EnrolmentPage));
            else context.Response.Redirect(EnrolmentPage);
            return;
        }

        await next(context);
    }
}
