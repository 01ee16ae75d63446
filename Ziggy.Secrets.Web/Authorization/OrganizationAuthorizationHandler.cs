using Microsoft.AspNetCore.Authorization;
using Ziggy.Secrets.Web.Accounts;

namespace Ziggy.Secrets.Web.Authorization;

/// <summary>
/// Decides <see cref="OrganizationOperations"/>, with the rules of <see cref="MemberRules"/>. Only an administrator
/// (an active one: a deactivated member acts as a Member) gets anything, and only inside their own organization.
/// Anything else fails without a reason, which callers answer with 404; a refusal a person should read (a role above
/// your own, the last SuperAdmin) fails with the message as its reason.
/// </summary>
public sealed class OrganizationAuthorizationHandler : AuthorizationHandler<OrganizationOperationRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OrganizationOperationRequirement requirement)
    {
        if (CurrentUser.From(context.User)?.Facts is not { } actor || !MemberRules.IsAdministrator(actor)) return Task.CompletedTask;

        // A policy (the Team, Audit and Organizations pages) is asked with the HttpContext as its resource: the operations
        // without a resource ignore it.
        var (allowed, refusal) = (requirement.Name, context.Resource) switch
        {
            (nameof(OrganizationOperations.Administer), _) => (true, null),
            (nameof(OrganizationOperations.SetTwoFactorRequirement), _) => (true, null),
            (nameof(OrganizationOperations.ManageOrganizations), _) => (MemberRules.ManagesOrganizations(actor), null),
            (nameof(OrganizationOperations.Invite), Role role) => Decide(MemberRules.RefuseInvitation(actor, role)),
            (nameof(OrganizationOperations.ManageMember), MemberFacts target) when target.OrganizationId == actor.OrganizationId =>
                (MemberRules.MayManage(actor, target), null),
            (nameof(OrganizationOperations.ChangeMember), RoleChange change) when change.Target.OrganizationId == actor.OrganizationId =>
                Decide(MemberRules.RefuseRoleChange(actor, change.Target, change.NewRole, change.OtherActiveSuperAdmins)),
            (nameof(OrganizationOperations.ChangeMember), StatusChange change) when change.Target.OrganizationId == actor.OrganizationId =>
                Decide(MemberRules.RefuseStatusChange(actor, change.Target, change.Active, change.OtherActiveSuperAdmins)),
            (nameof(OrganizationOperations.ChangeMember), SignOutEverywhere change) when change.Target.OrganizationId == actor.OrganizationId =>
                Decide(MemberRules.RefuseSignOutEverywhere(actor, change.Target)),
            (nameof(OrganizationOperations.ChangeMember), TwoFactorReset change) when change.Target.OrganizationId == actor.OrganizationId =>
                Decide(MemberRules.RefuseTwoFactorReset(actor, change.Target)),
            (nameof(OrganizationOperations.ResetPassword), MemberFacts target) when target.OrganizationId == actor.OrganizationId =>
                Decide(MemberRules.RefusePasswordReset(actor, target)),
            _ => (false, (string?)null),
        };

        if (allowed) context.Succeed(requirement);
        else if (refusal is not null) context.Fail(new AuthorizationFailureReason(this, refusal));
        return Task.CompletedTask;
    }

    private static (bool Allowed, string? Refusal) Decide(string? refusal) => (refusal is null, refusal);
}
