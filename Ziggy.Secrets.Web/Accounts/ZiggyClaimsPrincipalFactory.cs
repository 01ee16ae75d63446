using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>Puts organization, role and display name into the auth cookie so pages need no extra query.</summary>
public sealed class ZiggyClaimsPrincipalFactory(UserManager<ApplicationUser> userManager, IOptions<IdentityOptions> options, ZiggyDbContext db)
    : UserClaimsPrincipalFactory<ApplicationUser>(userManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(CurrentUser.OrganizationClaim, user.OrganizationId.ToString()));
        identity.AddClaim(new Claim(CurrentUser.RoleClaim, user.Role.ToString()));
        identity.AddClaim(new Claim(CurrentUser.DisplayNameClaim, user.DisplayName));
        var organization = await db.Organizations.Where(o => o.Id == user.OrganizationId).Select(o => o.Name).FirstOrDefaultAsync();
        identity.AddClaim(new Claim(CurrentUser.OrganizationNameClaim, organization ?? ""));
        return identity;
    }
}
