using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>Puts organization, role and display name into the auth cookie so pages need no extra query.</summary>
public sealed class ZiggyClaimsPrincipalFactory(UserManager<ApplicationUser> userManager, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser>(userManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(CurrentUser.OrganizationClaim, user.OrganizationId.ToString()));
        identity.AddClaim(new Claim(CurrentUser.RoleClaim, user.Role.ToString()));
        identity.AddClaim(new Claim(CurrentUser.DisplayNameClaim, user.DisplayName));
        return identity;
    }
}
