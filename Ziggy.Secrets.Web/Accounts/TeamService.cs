using System.Linq.Expressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// Members, invitations, roles and organizations. Every query is scoped to the actor's organization, and a user
/// of another organization is answered NotFound, exactly like an id that does not exist. Who may do what is asked of
/// <see cref="IAuthorizationService"/> (<see cref="OrganizationOperations"/>).
/// </summary>
public sealed class TeamService(
    ZiggyDbContext db, UserManager<ApplicationUser> users, IAuthorizationService authorization, AuditTrail audit, SessionService sessions, TimeProvider clock)
{
    public async Task<Result<TeamView>> GetTeamAsync(CurrentUser actor)
    {
        if (!await authorization.AllowsAsync(actor, OrganizationOperations.Administer)) return Result<TeamView>.NotFound();
        var organization = await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == actor.OrganizationId);
        var members = new List<TeamMember>();
        foreach (var row in await Rows(db.Users.Where(u => u.OrganizationId == actor.OrganizationId)).ToListAsync())
            members.Add(await TeamMemberAsync(actor, row));
        var now = clock.GetUtcNow();
        var invitations = await db.Invitations.AsNoTracking()
            .Where(i => i.OrganizationId == actor.OrganizationId && i.AcceptedAt == null && i.ExpiresAt > now)
            .OrderBy(i => i.ExpiresAt)
            .Select(i => new PendingInvitation(i.Id, i.Email, i.Role, i.ExpiresAt))
            .ToListAsync();
        return Result<TeamView>.Ok(new TeamView(organization.Name, members, invitations, organization.TwoFactorRequirement,
            await authorization.AllowsAsync(actor, OrganizationOperations.SetTwoFactorRequirement)));
    }

    /// <summary>
    /// Who a secret can be handed to: the organization's active members (none for a caller who is not an administrator).
    /// </summary>
    public async Task<IReadOnlyList<MemberRow>> ActiveMembersAsync(CurrentUser actor)
    {
        if (!await authorization.AllowsAsync(actor, OrganizationOperations.Administer)) return [];
        return await ActiveMembers.For(db)(db, actor.OrganizationId).ToListAsync();
    }

    private static readonly Expression<Func<ApplicationUser, MemberRow>> RowOf = u => new MemberRow(u.Id, u.DisplayName, u.Email!, u.Role, u.IsActive, u.TwoFactorEnabled);

    // Every editor an administrator opens lists them (the transfer field): compiled once.
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, IAsyncEnumerable<MemberRow>>> ActiveMembers = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext c, Guid organizationId) =>
            c.Users.AsNoTracking().Where(u => u.OrganizationId == organizationId && u.IsActive).OrderBy(u => u.DisplayName).Select(RowOf)));

    /// <summary>Members as the team page and the transfer list show them, by name.</summary>
    private static IQueryable<MemberRow> Rows(IQueryable<ApplicationUser> users) => users.AsNoTracking().OrderBy(u => u.DisplayName).Select(RowOf);

    public async Task<Result<TeamMember>> GetMemberAsync(CurrentUser actor, Guid userId)
    {
        if (!await authorization.AllowsAsync(actor, OrganizationOperations.Administer)) return Result<TeamMember>.NotFound();
        var row = await Rows(db.Users.Where(u => u.Id == userId && u.OrganizationId == actor.OrganizationId)).FirstOrDefaultAsync();
        return row is null ? Result<TeamMember>.NotFound() : Result<TeamMember>.Ok(await TeamMemberAsync(actor, row));
    }

    /// <summary>The roles the invitation form and the role selects offer <paramref name="actor"/> (none to a non-administrator).</summary>
    public async Task<IReadOnlyList<Role>> AssignableRolesAsync(CurrentUser actor)
    {
        var roles = new List<Role>();
        foreach (var role in Roles.All)
        {
            if (await authorization.AllowsAsync(actor, OrganizationOperations.Invite, role)) roles.Add(role);
        }

        return roles;
    }

    // The row comes from a query scoped to the actor's organization.
    private async Task<TeamMember> TeamMemberAsync(CurrentUser actor, MemberRow row) => new(row,
        await authorization.AllowsAsync(actor, OrganizationOperations.ManageMember, new MemberFacts(row.Id, actor.OrganizationId, row.Role, row.IsActive)));

    public async Task<Result<CreatedInvitation>> InviteAsync(CurrentUser actor, string email, Role role)
    {
        var decision = await authorization.AuthorizeAsync(actor, OrganizationOperations.Invite, role);
        if (!decision.Succeeded)
            return decision.Refusal() is { } refusal ? Result<CreatedInvitation>.Invalid("Role", refusal) : Result<CreatedInvitation>.NotFound();

        return await db.InTransactionAsync(async () =>
        {
            var organization = await db.Organizations.FirstAsync(o => o.Id == actor.OrganizationId);
            return await CreateInvitationAsync(organization, actor, email, role);
        });
    }

    public const string InvitationAboveOwnRoleMessage = "Only someone with this invitation's role or a higher one can revoke or re-issue it.";

    /// <summary>Voids an open invitation: its link stops working. Only for whoever could have sent it.</summary>
    public Task<Result<PendingInvitation>> RevokeInvitationAsync(CurrentUser actor, Guid invitationId) =>
        db.InTransactionAsync(async () =>
        {
            var (invitation, refused) = await OpenInvitationAsync(actor, invitationId);
            if (invitation is null) return refused!.As<PendingInvitation>();
            db.Invitations.Remove(invitation);
            audit.Record(AuditAction.InvitationRevoked, AuditActor.Of(actor), $"Revoked the invitation of {invitation.Email} as {invitation.Role}.",
                targetName: invitation.Email);
            await db.SaveChangesAsync();
            return Result<PendingInvitation>.Ok(new PendingInvitation(invitation.Id, invitation.Email, invitation.Role, invitation.ExpiresAt));
        });

    /// <summary>A new link (and a new week) for an open invitation; the old link stops working.</summary>
    public Task<Result<CreatedInvitation>> ReissueInvitationAsync(CurrentUser actor, Guid invitationId) =>
        db.InTransactionAsync(async () =>
        {
            var (invitation, refused) = await OpenInvitationAsync(actor, invitationId);
            if (invitation is null) return refused!.As<CreatedInvitation>();
            var organization = await db.Organizations.FirstAsync(o => o.Id == actor.OrganizationId);
            return await CreateInvitationAsync(organization, actor, invitation.Email, invitation.Role, AuditAction.InvitationReissued);
        });

    /// <summary>
    /// The organization's not yet accepted invitation, when <paramref name="actor"/> may invite with its role (a SuperAdmin
    /// invitation is a SuperAdmin's to revoke or re-issue). Another organization's invitation is NotFound.
    /// </summary>
    private async Task<(Invitation? Invitation, Result<Invitation>? Refused)> OpenInvitationAsync(CurrentUser actor, Guid invitationId)
    {
        if (!await authorization.AllowsAsync(actor, OrganizationOperations.Administer)) return (null, Result<Invitation>.NotFound());
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == invitationId && i.OrganizationId == actor.OrganizationId && i.AcceptedAt == null);
        if (invitation is null) return (null, Result<Invitation>.NotFound());
        var decision = await authorization.AuthorizeAsync(actor, OrganizationOperations.Invite, invitation.Role);
        if (decision.Succeeded) return (invitation, null);
        return (null, decision.Refusal() is not null ? Result<Invitation>.Invalid("Invitation", InvitationAboveOwnRoleMessage) : Result<Invitation>.NotFound());
    }

    /// <summary>Every organization, newest first, with its member count and its live and trashed secret counts, in one query.</summary>
    public async Task<Result<IReadOnlyList<OrganizationSummary>>> ListOrganizationsAsync(CurrentUser actor)
    {
        if (!await authorization.AllowsAsync(actor, OrganizationOperations.ManageOrganizations)) return Result<IReadOnlyList<OrganizationSummary>>.NotFound();
        var list = await db.Organizations.AsNoTracking()
            .OrderByDescending(o => o.CreatedAt)
            .Select(o => new OrganizationSummary(
                o.Id,
                o.Name,
                o.CreatedAt,
                db.Users.Count(u => u.OrganizationId == o.Id),
                db.Secrets.IgnoreQueryFilters().Count(s => s.OrganizationId == o.Id && s.DeletedAt == null),
                db.Secrets.IgnoreQueryFilters().Count(s => s.OrganizationId == o.Id && s.DeletedAt != null)))
            .ToListAsync();
        return Result<IReadOnlyList<OrganizationSummary>>.Ok(list);
    }

    /// <summary>A SuperAdmin creates another organization; its first Admin joins through the invitation returned.</summary>
    public async Task<Result<CreatedInvitation>> CreateOrganizationAsync(CurrentUser actor, string name, string adminEmail)
    {
        if (!await authorization.AllowsAsync(actor, OrganizationOperations.ManageOrganizations)) return Result<CreatedInvitation>.NotFound();
        name = name.Trim();

        return await db.InTransactionAsync(async () =>
        {
            if (await db.Organizations.AnyAsync(o => o.Name == name))
                return Result<CreatedInvitation>.Invalid("Name", $"An organization named {name} already exists.");
            var organization = new Organization { Name = name, CreatedAt = clock.GetUtcNow() };
            db.Organizations.Add(organization);
            audit.Record(AuditAction.OrganizationCreated, AuditActor.Of(actor), $"Created organization {name}; its first Admin is invited as {adminEmail.Trim()}.");
            await db.SaveChangesAsync();
            var invitation = await CreateInvitationAsync(organization, actor, adminEmail, Role.Admin);
            // The admin's email lives in the form's AdminEmail field.
            return invitation.IsOk ? invitation : Result<CreatedInvitation>.Invalid(invitation.Errors.Select(e => e with { Field = e.Field == "Email" ? "AdminEmail" : e.Field }).ToList());
        });
    }

    public Task<Result<MemberRow>> ChangeRoleAsync(CurrentUser actor, Guid userId, Role newRole) =>
        ChangeMemberAsync(actor, userId, "Role",
            (target, others) => new RoleChange(target, newRole, others),
            async target =>
            {
                audit.Record(AuditAction.RoleChanged, AuditActor.Of(actor), $"Role changed from {target.Role} to {newRole}.",
                    targetUserId: target.Id, targetName: target.Email);
                var lowered = newRole.Priority() < target.Role.Priority();
                target.Role = newRole;
                // Sessions opened with more access than the member now has end: they sign in again with the new role.
                if (lowered) await sessions.EndAllAsync(target.Id, target.Email, AuditActor.Of(actor), $"Role lowered to {newRole}");
            });

    public Task<Result<MemberRow>> SetActiveAsync(CurrentUser actor, Guid userId, bool active) =>
        ChangeMemberAsync(actor, userId, "Status",
            (target, others) => new StatusChange(target, active, others),
            async target =>
            {
                audit.Record(active ? AuditAction.MemberReactivated : AuditAction.MemberDeactivated, AuditActor.Of(actor),
                    active ? "Member reactivated." : "Member deactivated; their sessions end.", targetUserId: target.Id, targetName: target.Email);
                target.IsActive = active;
                if (active) return;
                // The per-request check compares the security stamp as well as the session rows.
                target.SecurityStamp = Guid.NewGuid().ToString("N");
                await sessions.EndAllAsync(target.Id, target.Email, AuditActor.Of(actor), "Member deactivated");
            });

    /// <summary>An administrator ends every session of a member (who can sign in again).</summary>
    public Task<Result<MemberRow>> SignOutEverywhereAsync(CurrentUser actor, Guid userId) =>
        ChangeMemberAsync(actor, userId, "Sessions",
            (target, others) => new SignOutEverywhere(target, others),
            target => sessions.EndAllAsync(target.Id, target.Email, AuditActor.Of(actor), "Signed out everywhere by an administrator"));

    /// <summary>
    /// For a member who lost their authenticator app: two-factor sign-in off, their key and recovery codes gone, their
    /// sessions ended. They sign in with their password, and set it up again (at once, where the organization requires it).
    /// </summary>
    public Task<Result<MemberRow>> ResetTwoFactorAsync(CurrentUser actor, Guid userId) =>
        ChangeMemberAsync(actor, userId, "TwoFactor",
            (target, others) => new TwoFactorReset(target, others),
            async target =>
            {
                audit.Record(AuditAction.TwoFactorReset, AuditActor.Of(actor), "Two-factor sign-in reset: their authenticator app and recovery codes no longer work.",
                    targetUserId: target.Id, targetName: target.Email);
                target.TwoFactorEnabled = false;
                // A reset also answers a stolen phone: a new security stamp ends the member's open sessions.
                target.SecurityStamp = Guid.NewGuid().ToString("N");
                await TwoFactorService.ForgetAuthenticatorAsync(db, target.Id);
            });

    /// <summary>Who in the actor's organization must use two-factor sign-in (those who have not set it up are sent to do so).</summary>
    public async Task<Result<TwoFactorRequirement>> SetTwoFactorRequirementAsync(CurrentUser actor, TwoFactorRequirement requirement)
    {
        if (!await authorization.AllowsAsync(actor, OrganizationOperations.SetTwoFactorRequirement)) return Result<TwoFactorRequirement>.NotFound();
        if (!Enum.IsDefined(requirement)) return Result<TwoFactorRequirement>.Invalid("TwoFactorRequirement", "Choose who must use two-factor sign-in.");

        var organization = await db.Organizations.FirstAsync(o => o.Id == actor.OrganizationId);
        if (organization.TwoFactorRequirement == requirement) return Result<TwoFactorRequirement>.Ok(requirement);
        audit.Record(AuditAction.TwoFactorRequirementChanged, AuditActor.Of(actor),
            $"Two-factor sign-in: {organization.TwoFactorRequirement.Describe()} before, {requirement.Describe()} now.");
        organization.TwoFactorRequirement = requirement;
        await db.SaveChangesAsync();
        return Result<TwoFactorRequirement>.Ok(requirement);
    }

    /// <summary>
    /// Loads both people inside one serializing transaction (so two SuperAdmins demoting each other at once cannot
    /// both win) and asks whether the actor, as loaded there, may make the change: NotFound for anyone outside the
    /// actor's organization or an actor no longer an active administrator, the refusal on <paramref name="field"/>
    /// for a change the rules forbid.
    /// </summary>
    private Task<Result<MemberRow>> ChangeMemberAsync(
        CurrentUser actor, Guid userId, string field,
        Func<MemberFacts, int, MemberChange> change, Action<ApplicationUser> apply) =>
        ChangeMemberAsync(actor, userId, field, change, target =>
        {
            apply(target);
            return Task.CompletedTask;
        });

    private async Task<Result<MemberRow>> ChangeMemberAsync(
        CurrentUser actor, Guid userId, string field,
        Func<MemberFacts, int, MemberChange> change, Func<ApplicationUser, Task> apply)
    {
        // Spares a non-administrator the serializing transaction; the decision that counts is the one below.
        if (!await authorization.AllowsAsync(actor, OrganizationOperations.Administer)) return Result<MemberRow>.NotFound();

        return await db.InTransactionAsync(async () =>
        {
            var self = await db.Users.FirstOrDefaultAsync(u => u.Id == actor.UserId && u.OrganizationId == actor.OrganizationId);
            var target = await db.Users.FirstOrDefaultAsync(u => u.Id == userId && u.OrganizationId == actor.OrganizationId);
            if (self is null || target is null) return Result<MemberRow>.NotFound();

            var otherSuperAdmins = await db.Users.CountAsync(u =>
                u.OrganizationId == actor.OrganizationId && u.Role == Role.SuperAdmin && u.IsActive && u.Id != target.Id);
            var decision = await authorization.AuthorizeAsync(CurrentUser.Of(self), OrganizationOperations.ChangeMember,
                change(MemberFacts.Of(target), otherSuperAdmins));
            if (!decision.Succeeded)
                return decision.Refusal() is { } refusal ? Result<MemberRow>.Invalid(field, refusal) : Result<MemberRow>.NotFound();

            await apply(target);
            await db.SaveChangesAsync();
            return Result<MemberRow>.Ok(new MemberRow(target.Id, target.DisplayName, target.Email!, target.Role, target.IsActive, target.TwoFactorEnabled));
        });
    }

    private async Task<Result<CreatedInvitation>> CreateInvitationAsync(Organization organization, CurrentUser inviter, string email, Role role,
        AuditAction action = AuditAction.InvitationCreated)
    {
        email = email.Trim();
        var normalized = users.NormalizeEmail(email);
        // An address that already has an account (in any organization) is invited like any other: the inviter must not
        // learn who has an account. Only whoever opens the link is told, and nothing is created (InvitationService).

        // A new invitation for the same address replaces any earlier link that is still open.
        var earlier = await db.Invitations
            .Where(i => i.OrganizationId == organization.Id && i.NormalizedEmail == normalized && i.AcceptedAt == null)
            .ToListAsync();
        db.Invitations.RemoveRange(earlier);

        var now = clock.GetUtcNow();
        var token = InvitationToken.Create();
        var invitation = new Invitation
        {
            OrganizationId = organization.Id,
            Email = email,
            NormalizedEmail = normalized,
            Role = role,
            TokenHash = InvitationToken.Hash(token),
            CreatedById = inviter.UserId,
            CreatedAt = now,
            ExpiresAt = now + Invitation.Lifetime,
        };
        db.Invitations.Add(invitation);
        audit.Record(action, AuditActor.Of(inviter), $"Invited {email} as {role} to {organization.Name}.", targetName: email);
        await db.SaveChangesAsync();
        return Result<CreatedInvitation>.Ok(new CreatedInvitation(token, organization.Name, email, role, invitation.ExpiresAt));
    }
}

public sealed record OrganizationSummary(Guid Id, string Name, DateTimeOffset CreatedAt, int Members, int Secrets, int TrashedSecrets);
