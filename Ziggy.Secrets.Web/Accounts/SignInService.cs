using Microsoft.AspNetCore.Identity;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

public sealed class SignInService(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signInManager, AuditTrail audit, ZiggyDbContext db)
{
    /// <summary>
    /// The one answer for an unknown email, a wrong password and a locked account alike: telling them apart would tell
    /// anyone which addresses have an account (unknown addresses never lock).
    /// </summary>
    public const string IncorrectMessage = "Email or password is incorrect. After five failed sign-ins an account is locked for five minutes.";

    /// <summary>Not shown by the password step, where it would reveal that the account exists (see <see cref="IncorrectMessage"/>).</summary>
    public const string LockedOutMessage = "Too many failed sign-ins: this account is locked for 5 minutes. Try again later.";

    public const string DeactivatedMessage = "This account has been deactivated. Ask an administrator of your organization to reactivate it.";

    // A hash to check passwords against when there is no account's own to check: an unknown email or a locked account then
    // costs the same hashing time as a wrong password, so the time taken does not answer either.
    private static string? _standInHash;

    public async Task<Result<ApplicationUser>> SignInAsync(string email, string password)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            SpendHashingTime(password);
            return await FailedAsync(new AuditActor(null, email.Trim(), null), "Unknown email.", IncorrectMessage);
        }

        // Identity refuses a locked account without checking its password: spend that time here.
        if (await users.IsLockedOutAsync(user))
        {
            SpendHashingTime(password);
            return await FailedAsync(AuditActor.Of(user), "Account locked after five failed sign-ins.", IncorrectMessage);
        }

        // Counts the failure and locks after five (IdentityOptions.Lockout).
        var check = await signInManager.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (check.IsLockedOut) return await FailedAsync(AuditActor.Of(user), "Wrong password; the account is now locked for five minutes.", IncorrectMessage);
        if (!check.Succeeded) return await FailedAsync(AuditActor.Of(user), "Wrong password.", IncorrectMessage);

        // Only someone who knows the password learns that the account is deactivated.
        if (!user.IsActive) return await FailedAsync(AuditActor.Of(user), "Account deactivated.", DeactivatedMessage);

        // Recorded before the cookie is issued: no audit row, no session.
        audit.Record(AuditAction.SignInSucceeded, AuditActor.Of(user), "Signed in.", targetUserId: user.Id, targetName: user.Email);
        await db.SaveChangesAsync();
        await signInManager.SignInAsync(user, isPersistent: false);
        return Result<ApplicationUser>.Ok(user);
    }

    private void SpendHashingTime(string password)
    {
        var standIn = new ApplicationUser();
        _standInHash ??= users.PasswordHasher.HashPassword(standIn, Guid.NewGuid().ToString());
        users.PasswordHasher.VerifyHashedPassword(standIn, _standInHash, password);
    }

    private async Task<Result<ApplicationUser>> FailedAsync(AuditActor actor, string reason, string message)
    {
        audit.Record(AuditAction.SignInFailed, actor, reason, targetUserId: actor.Id, targetName: actor.Name);
        await db.SaveChangesAsync();
        return Result<ApplicationUser>.Invalid("", message);
    }

    public Task SignOutAsync() => signInManager.SignOutAsync();
}
