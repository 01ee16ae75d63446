using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>A freshly made reset link. The token exists only here, shown once; the database keeps its hash.</summary>
public sealed record CreatedResetLink(Guid UserId, string DisplayName, string Email, string Token, DateTimeOffset ExpiresAt);

/// <summary>
/// Password reset links: an Admin makes one for a member on the Team page (never for someone above their own role), the
/// operator's <c>reset-password</c> command makes one for anyone; the member opens it and chooses a new password, which
/// also lifts a lockout and ends every session they had. A new link replaces the member's earlier open one.
/// </summary>
public sealed class PasswordResetService(
    ZiggyDbContext db, UserManager<ApplicationUser> users, IAuthorizationService authorization, AuditTrail audit, SessionService sessions, TimeProvider clock)
{
    public const string InvalidLinkMessage = "This reset link is not valid: it was already used or revoked, or not copied whole. Ask an Admin of your organization for a new one.";
    public const string ExpiredMessage = "This reset link has expired: links work for one hour. Ask an Admin of your organization for a new one.";
    public const string OperatorName = "Operator (command line)";

    /// <summary>Until when each member of the actor's organization has an open link (nothing for a non-administrator).</summary>
    public async Task<IReadOnlyDictionary<Guid, DateTimeOffset>> OpenLinksAsync(CurrentUser actor)
    {
        if (!await authorization.AllowsAsync(actor, OrganizationOperations.Administer)) return new Dictionary<Guid, DateTimeOffset>();
        var now = clock.GetUtcNow();
        var open = await db.PasswordResetLinks.AsNoTracking()
            .Where(l => l.OrganizationId == actor.OrganizationId && l.UsedAt == null && l.RevokedAt == null && l.ExpiresAt > now)
            .Select(l => new { l.UserId, l.ExpiresAt })
            .ToListAsync();
        return open.GroupBy(l => l.UserId).ToDictionary(g => g.Key, g => g.Max(l => l.ExpiresAt));
    }

    public Task<Result<CreatedResetLink>> CreateAsync(CurrentUser actor, Guid userId) =>
        ForMemberAsync<CreatedResetLink>(actor, userId, async (self, target) =>
        {
            var link = await IssueAsync(target, self.Id);
            audit.Record(AuditAction.PasswordResetCreated, AuditActor.Of(self),
                $"Created a password reset link, valid until {link.ExpiresAt:yyyy-MM-dd HH:mm} UTC.", targetUserId: target.Id, targetName: target.Email);
            await db.SaveChangesAsync();
            return Result<CreatedResetLink>.Ok(link);
        });

    /// <summary>Revokes the member's open link, if there is one.</summary>
    public Task<Result<bool>> RevokeAsync(CurrentUser actor, Guid userId) =>
        ForMemberAsync<bool>(actor, userId, async (self, target) =>
        {
            var revoked = await RevokeOpenAsync(target.Id);
            if (revoked == 0) return Result<bool>.Ok(false);
            audit.Record(AuditAction.PasswordResetRevoked, AuditActor.Of(self), "Revoked the open password reset link.",
                targetUserId: target.Id, targetName: target.Email);
            await db.SaveChangesAsync();
            return Result<bool>.Ok(true);
        });

    /// <summary>The operator's command: whoever runs it on the server may reset anyone's password.</summary>
    public Task<Result<CreatedResetLink>> CreateForOperatorAsync(string email) =>
        db.InTransactionAsync(async () =>
        {
            var normalized = users.NormalizeEmail(email.Trim());
            var target = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized);
            if (target is null) return Result<CreatedResetLink>.NotFound();
            var link = await IssueAsync(target, createdById: null);
            audit.Record(AuditAction.PasswordResetCreated, new AuditActor(null, OperatorName, target.OrganizationId),
                $"Created a password reset link, valid until {link.ExpiresAt:yyyy-MM-dd HH:mm} UTC.", targetUserId: target.Id, targetName: target.Email);
            await db.SaveChangesAsync();
            return Result<CreatedResetLink>.Ok(link);
        });

    /// <summary>
    /// Sets a new password through a link: once, within the hour, unless revoked. It lifts a lockout and gives the member a
    /// new security stamp, which ends every session they had at its next request.
    /// </summary>
    public Task<Result<ApplicationUser>> ResetAsync(string token, string newPassword)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100) return Task.FromResult(Result<ApplicationUser>.Invalid("", InvalidLinkMessage));
        var hash = InvitationToken.Hash(token);
        return db.InTransactionAsync(async () =>
        {
            // Looked up inside the transaction: of two uses of one link at once, one wins.
            var link = await db.PasswordResetLinks.FirstOrDefaultAsync(l => l.TokenHash == hash);
            var now = clock.GetUtcNow();
            if (link is null || link.UsedAt is not null || link.RevokedAt is not null) return Result<ApplicationUser>.Invalid("", InvalidLinkMessage);
            if (link.IsExpired(now)) return Result<ApplicationUser>.Invalid("", ExpiredMessage);
            var user = await db.Users.FirstOrDefaultAsync(u => u.Id == link.UserId);
            if (user is null) return Result<ApplicationUser>.Invalid("", InvalidLinkMessage);

            // Identity's own reset validates the password and stores its hash; its token is made and spent right here.
            var changed = await users.ResetPasswordAsync(user, await users.GeneratePasswordResetTokenAsync(user), newPassword);
            if (!changed.Succeeded)
                return Result<ApplicationUser>.Invalid(changed.Errors.Select(e => new FieldError(ZiggyIdentityErrors.FieldOf(e), e.Description)).ToList());

            // The point of a link is also to get a locked-out person back in.
            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
            // Whoever held a session of this account (perhaps the reason for the reset) is signed out, on every instance.
            await users.UpdateSecurityStampAsync(user);
            await sessions.EndAllAsync(user.Id, user.Email, AuditActor.Of(user), "Password reset");

            link.UsedAt = now;
            audit.Record(AuditAction.PasswordResetUsed, AuditActor.Of(user), "Chose a new password through a reset link; every session ended.",
                targetUserId: user.Id, targetName: user.Email);
            await db.SaveChangesAsync();
            return Result<ApplicationUser>.Ok(user);
        });
    }

    /// <summary>
    /// Loads both people inside one transaction and asks whether the actor, as loaded there, may handle the member's reset
    /// links: NotFound for anyone outside the actor's organization or an actor no longer an active administrator, the
    /// refusal (a member above the actor, oneself) on the "Reset" field.
    /// </summary>
    private async Task<Result<T>> ForMemberAsync<T>(CurrentUser actor, Guid userId, Func<ApplicationUser, ApplicationUser, Task<Result<T>>> act)
    {
        if (!await authorization.AllowsAsync(actor, OrganizationOperations.Administer)) return Result<T>.NotFound();
        return await db.InTransactionAsync(async () =>
        {
            var self = await db.Users.FirstOrDefaultAsync(u => u.Id == actor.UserId && u.OrganizationId == actor.OrganizationId);
            var target = await db.Users.FirstOrDefaultAsync(u => u.Id == userId && u.OrganizationId == actor.OrganizationId);
            if (self is null || target is null) return Result<T>.NotFound();

            var decision = await authorization.AuthorizeAsync(CurrentUser.Of(self), OrganizationOperations.ResetPassword, MemberFacts.Of(target));
            if (!decision.Succeeded)
                return decision.Refusal() is { } refusal ? Result<T>.Invalid("Reset", refusal) : Result<T>.NotFound();
            return await act(self, target);
        });
    }

    private async Task<CreatedResetLink> IssueAsync(ApplicationUser target, Guid? createdById)
    {
        await RevokeOpenAsync(target.Id);
        var now = clock.GetUtcNow();
        var token = InvitationToken.Create();
        var link = new PasswordResetLink
        {
            OrganizationId = target.OrganizationId,
            UserId = target.Id,
            TokenHash = InvitationToken.Hash(token),
            CreatedById = createdById,
            CreatedAt = now,
            ExpiresAt = now + PasswordResetLink.Lifetime,
        };
        db.PasswordResetLinks.Add(link);
        return new CreatedResetLink(target.Id, target.DisplayName, target.Email!, token, link.ExpiresAt);
    }

    /// <summary>Marks the member's open links revoked (tracked, saved with the caller's change); answers how many.</summary>
    private async Task<int> RevokeOpenAsync(Guid userId)
    {
        var now = clock.GetUtcNow();
        var open = await db.PasswordResetLinks.Where(l => l.UserId == userId && l.UsedAt == null && l.RevokedAt == null && l.ExpiresAt > now).ToListAsync();
        foreach (var link in open) link.RevokedAt = now;
        return open.Count;
    }
}
