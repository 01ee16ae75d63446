using Microsoft.AspNetCore.Identity;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>A signed-in user changing their own password.</summary>
public sealed class PasswordService(ZiggyDbContext db, UserManager<ApplicationUser> users, SessionService sessions)
{
    public const string WrongCurrentPasswordMessage = "Your current password is not correct.";

    /// <summary>
    /// Changes the password and ends every session of the user, this one included, in one transaction: whoever holds a
    /// copy of any of their cookies must know the new password to get back in. Answers how many sessions ended.
    /// </summary>
    public Task<Result<int>> ChangeAsync(CurrentUser actor, string currentPassword, string newPassword) => db.InTransactionAsync(async () =>
    {
        var user = await users.FindByIdAsync(actor.UserId.ToString());
        if (user is null) return Result<int>.NotFound();

        // Identity also replaces the security stamp, which the per-request check compares.
        var changed = await users.ChangePasswordAsync(user, currentPassword, newPassword);
        if (!changed.Succeeded)
        {
            return Result<int>.Invalid(changed.Errors.Select(e =>
                e.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? new FieldError("CurrentPassword", WrongCurrentPasswordMessage)
                : e.Code.StartsWith("Password", StringComparison.Ordinal) ? new FieldError("Password", e.Description)
                : new FieldError("", e.Description)).ToList());
        }

        var ended = await sessions.EndAllAsync(user.Id, user.Email, AuditActor.Of(user), "Password changed");
        await db.SaveChangesAsync();
        return Result<int>.Ok(ended);
    });
}
