using Microsoft.AspNetCore.Identity;
using Ziggy.Secrets.Web.Common;

namespace Ziggy.Secrets.Web.Accounts;

public sealed class SignInService(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signInManager)
{
    public const string IncorrectMessage = "Email or password is incorrect.";
    public const string LockedOutMessage = "Too many failed sign-ins: this account is locked for 5 minutes. Try again later.";
    public const string DeactivatedMessage = "This account has been deactivated. Ask an administrator of your organization to reactivate it.";

    public async Task<Result<ApplicationUser>> SignInAsync(string email, string password)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null) return Result<ApplicationUser>.Invalid("", IncorrectMessage);

        // Counts the failure and locks after five (IdentityOptions.Lockout), checked before the password.
        var check = await signInManager.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (check.IsLockedOut) return Result<ApplicationUser>.Invalid("", LockedOutMessage);
        if (!check.Succeeded) return Result<ApplicationUser>.Invalid("", IncorrectMessage);

        // Only someone who knows the password learns that the account is deactivated.
        if (!user.IsActive) return Result<ApplicationUser>.Invalid("", DeactivatedMessage);

        await signInManager.SignInAsync(user, isPersistent: false);
        return Result<ApplicationUser>.Ok(user);
    }

    public Task SignOutAsync() => signInManager.SignOutAsync();
}
