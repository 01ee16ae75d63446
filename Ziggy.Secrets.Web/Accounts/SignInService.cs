using Microsoft.AspNetCore.Identity;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

public sealed class SignInService(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signInManager, AuditTrail audit, ZiggyDbContext db)
{
    public const string IncorrectMessage = "Email or password is incorrect.";
    public const string LockedOutMessage = "Too many failed sign-ins: this account is locked for 5 minutes. Try again later.";
    public const string DeactivatedMessage = "This account has been deactivated. Ask an administrator of your organization to reactivate it.";

    public async Task<Result<ApplicationUser>> SignInAsync(string email, string password)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null) return await FailedAsync(new AuditActor(null, email.Trim(), null), "Unknown email.", IncorrectMessage);

        // Counts the failure and locks after five (IdentityOptions.Lockout), checked before the password.
        var check = await signInManager.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (check.IsLockedOut) return await FailedAsync(AuditActor.Of(user), "Account locked after five failed sign-ins.", LockedOutMessage);
        if (!check.Succeeded) return await FailedAsync(AuditActor.Of(user), "Wrong password.", IncorrectMessage);

        // Only someone who knows the password learns that the account is deactivated.
        if (!user.IsActive) return await FailedAsync(AuditActor.Of(user), "Account deactivated.", DeactivatedMessage);

        // Recorded before the cookie is issued: no audit row, no session.
        audit.Record(AuditAction.SignInSucceeded, AuditActor.Of(user), "Signed in.", targetUserId: user.Id, targetName: user.Email);
        await db.SaveChangesAsync();
        await signInManager.SignInAsync(user, isPersistent: false);
        return Result<ApplicationUser>.Ok(user);
    }

    private async Task<Result<ApplicationUser>> FailedAsync(AuditActor actor, string reason, string message)
    {
        audit.Record(AuditAction.SignInFailed, actor, reason, targetUserId: actor.Id, targetName: actor.Name);
        await db.SaveChangesAsync();
        return Result<ApplicationUser>.Invalid("", message);
    }

    public Task SignOutAsync() => signInManager.SignOutAsync();
}
