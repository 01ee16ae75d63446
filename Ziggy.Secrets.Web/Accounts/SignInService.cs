using Microsoft.AspNetCore.Identity;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>Where a sign-in stands after a correct password.</summary>
public enum SignInStep
{
    SignedIn,

    /// <summary>Two-factor sign-in is on: the session opens once a code from the authenticator app (or a recovery code) is given.</summary>
    CodeRequired,
}

public sealed class SignInService(UserManager<ApplicationUser> users, ZiggySignInManager signInManager, AuditTrail audit, ZiggyDbContext db)
{
    /// <summary>
    /// The one answer for an unknown email, a wrong password and a locked account alike: telling them apart would tell
    /// anyone which addresses have an account (unknown addresses never lock).
    /// </summary>
    public const string IncorrectMessage = "Email or password is incorrect. After five failed sign-ins an account is locked for five minutes.";

    /// <summary>Not shown by the password step, where it would reveal that the account exists (see <see cref="IncorrectMessage"/>).</summary>
    public const string LockedOutMessage = "Too many failed sign-ins: this account is locked for 5 minutes. Try again later.";
    public const string DeactivatedMessage = "This account has been deactivated. Ask an administrator of your organization to reactivate it.";
    public const string InvalidCodeMessage = "That code is not valid. Enter the 6-digit code your authenticator app shows now.";
    public const string InvalidRecoveryCodeMessage = "That recovery code is not valid, or it was already used.";

    // A hash to check passwords against when there is no account's own to check: an unknown email or a locked account then
    // costs the same hashing time as a wrong password, so the time taken does not answer either.
    private static string? _standInHash;

    public async Task<Result<SignInStep>> SignInAsync(string email, string password)
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

        // With two-factor sign-in on, the password opens no session. Its failures are not reset either: Identity counts
        // wrong passwords and wrong codes together until a whole sign-in succeeds.
        if (await signInManager.BeginSecondStepAsync(user)) return Result<SignInStep>.Ok(SignInStep.CodeRequired);

        // Recorded before the cookie is issued: no audit row, no session.
        audit.Record(AuditAction.SignInSucceeded, AuditActor.Of(user), "Signed in.", targetUserId: user.Id, targetName: user.Email);
        await db.SaveChangesAsync();
        await signInManager.SignInAsync(user, isPersistent: false);
        return Result<SignInStep>.Ok(SignInStep.SignedIn);
    }

    private void SpendHashingTime(string password)
    {
        var standIn = new ApplicationUser();
        _standInHash ??= users.PasswordHasher.HashPassword(standIn, Guid.NewGuid().ToString());
        users.PasswordHasher.VerifyHashedPassword(standIn, _standInHash, password);
    }

    /// <summary>Whether this browser passed the password step of a sign-in that still needs its code (for at most five minutes).</summary>
    public async Task<bool> HasPendingSecondStepAsync() => await signInManager.GetTwoFactorAuthenticationUserAsync() is not null;

    /// <summary>
    /// The second step with a code from the authenticator app. NotFound when no password step is pending in this browser.
    /// A wrong code counts as a failed sign-in: five lock the account for five minutes, like wrong passwords, and the
    /// locked answer is the one the password step gives anyone who types the email.
    /// </summary>
    public Task<Result<SignInStep>> SignInWithCodeAsync(string code)
    {
        var normalized = TwoFactorCodes.NormalizeCode(code);
        return SecondStepAsync(
            // A code that cannot be one is not worth a guess: it is refused without being counted.
            normalized.Length == TwoFactorCodes.CodeLength && normalized.All(char.IsAsciiDigit)
                ? () => signInManager.TwoFactorAuthenticatorSignInAsync(normalized, isPersistent: false, rememberClient: false)
                : null,
            "Wrong authenticator code.", InvalidCodeMessage, _ => Task.FromResult("Signed in with an authenticator code."));
    }

    /// <summary>The second step with one of the ten recovery codes, which is spent by it.</summary>
    public Task<Result<SignInStep>> SignInWithRecoveryCodeAsync(string recoveryCode)
    {
        var normalized = TwoFactorCodes.NormalizeRecoveryCode(recoveryCode);
        return SecondStepAsync(
            normalized.Length == 0 ? null : () => signInManager.TwoFactorRecoveryCodeSignInAsync(normalized),
            "Wrong or spent recovery code.", InvalidRecoveryCodeMessage,
            async user => $"Signed in with a recovery code ({await users.CountRecoveryCodesAsync(user)} left).");
    }

    private async Task<Result<SignInStep>> SecondStepAsync(
        Func<Task<SignInResult>>? attempt, string failure, string message, Func<ApplicationUser, Task<string>> success)
    {
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null) return Result<SignInStep>.NotFound();
        if (!user.IsActive) return await FailedAsync(AuditActor.Of(user), "Account deactivated.", DeactivatedMessage);
        if (attempt is null) return Result<SignInStep>.Invalid("", message);

        var result = await attempt();
        if (result.IsLockedOut) return await FailedAsync(AuditActor.Of(user), "Account locked after five failed sign-ins.", LockedOutMessage);
        if (!result.Succeeded) return await FailedAsync(AuditActor.Of(user), failure, message);

        // Identity has issued the session cookie by now. If the audit row cannot be written, the cookie is withdrawn:
        // no audit row, no session.
        try
        {
            audit.Record(AuditAction.SignInSucceeded, AuditActor.Of(user), await success(user), targetUserId: user.Id, targetName: user.Email);
            await db.SaveChangesAsync();
        }
        catch
        {
            await signInManager.SignOutAsync();
            throw;
        }

        return Result<SignInStep>.Ok(SignInStep.SignedIn);
    }

    private async Task<Result<SignInStep>> FailedAsync(AuditActor actor, string reason, string message)
    {
        audit.Record(AuditAction.SignInFailed, actor, reason, targetUserId: actor.Id, targetName: actor.Name);
        await db.SaveChangesAsync();
        return Result<SignInStep>.Invalid("", message);
    }

    public Task SignOutAsync() => signInManager.SignOutAsync();
}
