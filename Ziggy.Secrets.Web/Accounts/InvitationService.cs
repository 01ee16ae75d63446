using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

public sealed record AcceptInvitationInput(string DisplayName, string Password);

/// <summary>Opening and accepting invitation links. A link works once, for seven days.</summary>
public sealed class InvitationService(ZiggyDbContext db, UserManager<ApplicationUser> users, AuditTrail audit, TimeProvider clock)
{
    public const string UsedMessage = "This invitation has already been used. Sign in, or ask for a new invitation.";
    public const string ExpiredMessage = "This invitation has expired. Ask the person who invited you for a new one.";
    public const string AccountExistsMessage = "This email address already has an account, so the invitation cannot create another one. Sign in with it instead.";

    public async Task<Result<InvitationView>> OpenAsync(string token)
    {
        var (invitation, error) = await FindUsableAsync(token);
        if (invitation is null) return error!;
        return Result<InvitationView>.Ok(new InvitationView(invitation.Organization!.Name, invitation.Email, invitation.Role, invitation.ExpiresAt));
    }

    public Task<Result<ApplicationUser>> AcceptAsync(string token, AcceptInvitationInput input) =>
        db.InTransactionAsync(async () =>
        {
            // Looked up again inside the transaction: of two people accepting one link at once, one wins.
            var (invitation, error) = await FindUsableAsync(token);
            if (invitation is null) return error!.As<ApplicationUser>();

            var now = clock.GetUtcNow();
            var user = new ApplicationUser
            {
                UserName = invitation.Email,
                Email = invitation.Email,
                DisplayName = input.DisplayName.Trim(),
                OrganizationId = invitation.OrganizationId,
                Role = invitation.Role,
                CreatedAt = now,
            };
            var created = await users.CreateAsync(user, input.Password);
            if (!created.Succeeded)
                return Result<ApplicationUser>.Invalid(created.Errors.Select(e => new FieldError(ZiggyIdentityErrors.FieldOf(e), e.Description)).ToList());

            invitation.AcceptedAt = now;
            invitation.AcceptedUserId = user.Id;
            audit.Record(AuditAction.InvitationAccepted, AuditActor.Of(user), $"Joined {invitation.Organization!.Name} as {invitation.Role}.",
                targetUserId: user.Id, targetName: user.Email);
            await db.SaveChangesAsync();
            return Result<ApplicationUser>.Ok(user);
        });

    private async Task<(Invitation? Invitation, Result<InvitationView>? Error)> FindUsableAsync(string token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100) return (null, Result<InvitationView>.NotFound());
        var hash = InvitationToken.Hash(token);
        var invitation = await db.Invitations.Include(i => i.Organization).FirstOrDefaultAsync(i => i.TokenHash == hash);
        if (invitation is null) return (null, Result<InvitationView>.NotFound());
        if (invitation.AcceptedAt is not null) return (null, Result<InvitationView>.Conflict(UsedMessage));
        if (invitation.IsExpired(clock.GetUtcNow())) return (null, Result<InvitationView>.Conflict(ExpiredMessage));
        // Told only to whoever holds the link (the inviter was answered as for any address).
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == invitation.NormalizedEmail)) return (null, Result<InvitationView>.Conflict(AccountExistsMessage));
        return (invitation, null);
    }
}
