using System.Security.Claims;
using Htmx;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// Cookie events. Every request re-checks the user against the database, so a deactivation, a role change or a
/// password reset takes effect at once instead of when the cookie happens to expire.
/// </summary>
public static class SessionValidator
{
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var userId = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = principal?.FindFirstValue(new IdentityOptions().ClaimsIdentity.SecurityStampClaimType);
        // The session store read the user's current state with the session row, in the same query.
        var user = DatabaseTicketStore.SessionUserOf(context.HttpContext);

        if (user is null || !Guid.TryParse(userId, out var id) || user.Id != id || !user.IsActive || user.SecurityStamp != stamp)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }

        if (!user.TwoFactorEnabled && user.TwoFactorRequirement.AppliesTo(user.Role)) TwoFactorGateMiddleware.MarkEnrolmentRequired(context.HttpContext);

        var current = CurrentUser.From(principal!);
        if (current is null || current.Role != user.Role || current.DisplayName != user.DisplayName || current.OrganizationId != user.OrganizationId)
        {
            var factory = context.HttpContext.RequestServices.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>();
            var db = context.HttpContext.RequestServices.GetRequiredService<ZiggyDbContext>();
            context.ReplacePrincipal(await factory.CreateAsync(await db.Users.AsNoTracking().FirstAsync(u => u.Id == id)));
            context.ShouldRenew = true;
        }
    }

    /// <summary>An htmx request must not get the sign-in page swapped into a fragment: tell htmx to navigate.</summary>
    public static Task RedirectToSignInAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        if (context.Request.IsHtmx())
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers["HX-Redirect"] = context.RedirectUri;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    public static Task RedirectToAccessDeniedAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        // A page the caller's role may not open says so (403, rendered by /Error from the original path).
        // Resources of other organizations are refused by the domain services with 404, never through here.
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        if (context.Request.IsHtmx()) context.Response.Headers["HX-Reswap"] = "none";
        return Task.CompletedTask;
    }
}

/// <summary>What <see cref="SessionValidator"/> checks of a session's user on every request, read with the session row.</summary>
public sealed record SessionUser(Guid Id, bool IsActive, string? SecurityStamp, Role Role, string DisplayName, Guid OrganizationId,
    bool TwoFactorEnabled, TwoFactorRequirement TwoFactorRequirement);
