using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>What the Two-factor page shows its owner.</summary>
/// <param name="Required">Whether the organization requires it of this member (then it cannot be turned off).</param>
/// <param name="Setup">The authenticator key waiting to be confirmed with a code, when two-factor sign-in is not on yet.</param>
public sealed record TwoFactorStatus(bool Enabled, bool Required, TwoFactorRequirement Requirement, int RecoveryCodesLeft, AuthenticatorSetup? Setup);

/// <summary>An authenticator key and the otpauth:// URI an app scans. Shown to its owner only, on the Two-factor page.</summary>
public sealed record AuthenticatorSetup(string Key, string Uri)
{
    public string GroupedKey => TwoFactorCodes.Grouped(Key);
}

/// <summary>
/// A member's own two-factor sign-in, through ASP.NET Core Identity's authenticator support: set up an authenticator app
/// (confirmed with a code), ten one-time recovery codes (shown once), a new app, new codes, off. Each change happens in one
/// transaction with its audit event. What would let someone holding a borrowed session take over or remove the second
/// factor (new codes, a new app, off) asks for the password first.
/// </summary>
public sealed class TwoFactorService(ZiggyDbContext db, UserManager<ApplicationUser> users, ZiggySignInManager signInManager, AuditTrail audit)
{
    public const int RecoveryCodeCount = 10;
    public const string Issuer = "Ziggy Secrets";

    /// <summary>The login provider under which Identity keeps a user's authenticator key and recovery codes.</summary>
    public const string IdentityLoginProvider = "[AspNetUserStore]";

    public const string AlreadyOnMessage = "Two-factor sign-in is already on.";
    public const string NotOnMessage = "Two-factor sign-in is not on.";
    public const string StartAgainMessage = "There is no authenticator key to confirm: start the setup again.";
    public const string RequiredMessage = "Your organization requires two-factor sign-in, so it cannot be turned off. You can set up a new authenticator app instead.";
    public const string EnterPasswordMessage = "Enter your password.";
    public const string WrongPasswordMessage = "That password is not correct.";
    public const string ChangedMeanwhileMessage = "Your account changed meanwhile. Try again.";

    public async Task<Result<TwoFactorStatus>> GetStatusAsync(CurrentUser me)
    {
        var user = await FindAsync(me);
        if (user is null) return Result<TwoFactorStatus>.NotFound();
        var requirement = await RequirementAsync(user);
        var required = requirement.AppliesTo(user.Role);
        if (user.TwoFactorEnabled)
            return Result<TwoFactorStatus>.Ok(new TwoFactorStatus(true, required, requirement, await users.CountRecoveryCodesAsync(user), null));

        var key = await users.GetAuthenticatorKeyAsync(user);
        var setup = string.IsNullOrEmpty(key) ? null : new AuthenticatorSetup(key, OtpAuthUri(user, key));
        return Result<TwoFactorStatus>.Ok(new TwoFactorStatus(false, required, requirement, 0, setup));
    }

    /// <summary>A fresh authenticator key to scan; two-factor sign-in stays off until a code from it is confirmed.</summary>
    public Task<Result<bool>> StartAsync(CurrentUser me) => ChangeAsync<bool>(me, password: null, async user =>
    {
        if (user.TwoFactorEnabled) return Result<bool>.Invalid("", AlreadyOnMessage);
        return Succeeded(await users.ResetAuthenticatorKeyAsync(user), true);
    });

    /// <summary>Turns two-factor sign-in on once <paramref name="code"/> shows the app has the key. Answers the recovery codes, which exist only in this answer.</summary>
    public Task<Result<IReadOnlyList<string>>> ConfirmAsync(CurrentUser me, string? code) => ChangeAsync<IReadOnlyList<string>>(me, password: null, async user =>
    {
        if (user.TwoFactorEnabled) return Result<IReadOnlyList<string>>.Invalid("", AlreadyOnMessage);
        if (string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user))) return Result<IReadOnlyList<string>>.Invalid("", StartAgainMessage);
        var normalized = TwoFactorCodes.NormalizeCode(code);
        if (normalized.Length != TwoFactorCodes.CodeLength || !normalized.All(char.IsAsciiDigit)
            || !await users.VerifyTwoFactorTokenAsync(user, TokenOptions.DefaultAuthenticatorProvider, normalized))
            return Result<IReadOnlyList<string>>.Invalid("Code", SignInService.InvalidCodeMessage);

        audit.Record(AuditAction.TwoFactorEnabled, AuditActor.Of(user), "Two-factor sign-in turned on with an authenticator app.",
            targetUserId: user.Id, targetName: user.Email);
        if (!(await users.SetTwoFactorEnabledAsync(user, true)).Succeeded) return ChangedMeanwhile<IReadOnlyList<string>>();
        return await NewRecoveryCodesAsync(user);
    });

    /// <summary>Ten new recovery codes, answered only here; the earlier ones stop working.</summary>
    public Task<Result<IReadOnlyList<string>>> RenewRecoveryCodesAsync(CurrentUser me, string? password) => ChangeAsync<IReadOnlyList<string>>(me, password, async user =>
    {
        if (!user.TwoFactorEnabled) return Result<IReadOnlyList<string>>.Invalid("", NotOnMessage);
        audit.Record(AuditAction.TwoFactorRecoveryCodesRenewed, AuditActor.Of(user), "New recovery codes; the earlier ones no longer work.",
            targetUserId: user.Id, targetName: user.Email);
        return await NewRecoveryCodesAsync(user);
    });

    /// <summary>
    /// A new authenticator key, to move to another app or phone: the old app and the recovery codes stop working, and
    /// two-factor sign-in is off until a code from the new key is confirmed.
    /// </summary>
    public Task<Result<bool>> ReplaceAuthenticatorAsync(CurrentUser me, string? password) => ChangeAsync<bool>(me, password, async user =>
    {
        if (!user.TwoFactorEnabled) return Result<bool>.Invalid("", NotOnMessage);
        audit.Record(AuditAction.TwoFactorDisabled, AuditActor.Of(user), "Authenticator app replaced: two-factor sign-in is off until the new one is confirmed.",
            targetUserId: user.Id, targetName: user.Email);
        await ForgetAuthenticatorAsync(db, user.Id);
        if (!(await users.SetTwoFactorEnabledAsync(user, false)).Succeeded) return ChangedMeanwhile<bool>();
        return Succeeded(await users.ResetAuthenticatorKeyAsync(user), true);
    });

    /// <summary>Turns two-factor sign-in off and forgets the key and recovery codes; refused where the organization requires it.</summary>
    public Task<Result<bool>> DisableAsync(CurrentUser me, string? password) => ChangeAsync<bool>(me, password, async user =>
    {
        if (!user.TwoFactorEnabled) return Result<bool>.Invalid("", NotOnMessage);
        if ((await RequirementAsync(user)).AppliesTo(user.Role)) return Result<bool>.Invalid("", RequiredMessage);
        audit.Record(AuditAction.TwoFactorDisabled, AuditActor.Of(user), "Two-factor sign-in turned off.", targetUserId: user.Id, targetName: user.Email);
        await ForgetAuthenticatorAsync(db, user.Id);
        return Succeeded(await users.SetTwoFactorEnabledAsync(user, false), true);
    });

    /// <summary>Deletes a user's authenticator key and recovery codes, inside the caller's transaction.</summary>
    public static async Task ForgetAuthenticatorAsync(ZiggyDbContext db, Guid userId)
    {
        await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == IdentityLoginProvider).ExecuteDeleteAsync();
        // The delete bypasses the change tracker: forget the rows Identity may have read meanwhile, or its next save would
        // write to rows that are gone.
        foreach (var entry in db.ChangeTracker.Entries<IdentityUserToken<Guid>>()
                     .Where(e => e.Entity.UserId == userId && e.Entity.LoginProvider == IdentityLoginProvider).ToList())
            entry.State = EntityState.Detached;
    }

    /// <summary>
    /// Checks the password (when the change asks for it), then makes the change in one transaction with its audit event.
    /// Identity gives the user a new security stamp for most of these, which ends their other sessions; this one is renewed.
    /// </summary>
    private async Task<Result<T>> ChangeAsync<T>(CurrentUser me, string? password, Func<ApplicationUser, Task<Result<T>>> change)
    {
        if (password is not null)
        {
            var owner = await FindAsync(me);
            if (owner is null) return Result<T>.NotFound();
            if (password.Length == 0) return Result<T>.Invalid("Password", EnterPasswordMessage);
            // Outside the transaction, so that a wrong password is counted even though the change is refused: five lock
            // the account, as at sign-in, and a borrowed session cannot guess its way to the second factor.
            var check = await signInManager.CheckPasswordSignInAsync(owner, password, lockoutOnFailure: true);
            if (check.IsLockedOut) return Result<T>.Invalid("Password", SignInService.LockedOutMessage);
            if (!check.Succeeded) return Result<T>.Invalid("Password", WrongPasswordMessage);
        }

        ApplicationUser? changed = null;
        var result = await db.InTransactionAsync(async () =>
        {
            changed = null;
            var user = await FindAsync(me);
            if (user is null) return Result<T>.NotFound();
            var outcome = await change(user);
            if (outcome.IsOk) changed = user;
            return outcome;
        });

        if (changed is not null) await signInManager.RefreshSignInAsync(changed);
        return result;
    }

    private async Task<ApplicationUser?> FindAsync(CurrentUser me)
    {
        var user = await users.FindByIdAsync(me.UserId.ToString());
        return user?.OrganizationId == me.OrganizationId ? user : null;
    }

    private Task<TwoFactorRequirement> RequirementAsync(ApplicationUser user) =>
        db.Organizations.Where(o => o.Id == user.OrganizationId).Select(o => o.TwoFactorRequirement).FirstAsync();

    private async Task<Result<IReadOnlyList<string>>> NewRecoveryCodesAsync(ApplicationUser user) =>
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount) is { } codes
            ? Result<IReadOnlyList<string>>.Ok(codes.ToList())
            : ChangedMeanwhile<IReadOnlyList<string>>();

    private static Result<T> Succeeded<T>(IdentityResult identity, T value) => identity.Succeeded ? Result<T>.Ok(value) : ChangedMeanwhile<T>();

    // Identity's only expected failure here: the user row changed since it was read (its concurrency stamp).
    private static Result<T> ChangedMeanwhile<T>() => Result<T>.Conflict(ChangedMeanwhileMessage);

    private static string OtpAuthUri(ApplicationUser user, string key)
    {
        var issuer = Uri.EscapeDataString(Issuer);
        return $"otpauth://totp/{issuer}:{Uri.EscapeDataString(user.Email ?? "")}?secret={key}&issuer={issuer}&digits=6";
    }
}
