using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>Identity's sign-in manager, with the start of its second step (which Identity keeps protected) made public.</summary>
public sealed class ZiggySignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    /// <summary>
    /// After a correct password: for a user with two-factor sign-in on, opens no session but writes Identity's short-lived
    /// two-factor cookie (who passed the password), which the code step reads. False, and nothing written, for anyone else.
    /// </summary>
    public async Task<bool> BeginSecondStepAsync(ApplicationUser user)
    {
        if (!await IsTwoFactorEnabledAsync(user)) return false;
        var result = await SignInOrTwoFactorAsync(user, isPersistent: false);
        return result.RequiresTwoFactor ? true : throw new InvalidOperationException("A user with two-factor sign-in on was signed in by password alone.");
    }

    /// <summary>No browser is ever remembered: every sign-in of a user with two-factor sign-in on asks for a code.</summary>
    public override Task<bool> IsTwoFactorClientRememberedAsync(ApplicationUser user) => Task.FromResult(false);
}
