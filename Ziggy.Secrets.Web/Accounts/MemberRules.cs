namespace Ziggy.Secrets.Web.Accounts;

/// <summary>What the rules need to know about a person: who, which role, still active.</summary>
public sealed record MemberFacts(Guid Id, Role Role, bool IsActive);

/// <summary>
/// The rules for one administrator changing another member, in one place and free of storage so each can be
/// tested on its own. Each method answers the refusal message, or null when the change is allowed. The caller has
/// already established that both people are in the same organization and that the actor is an active administrator.
/// </summary>
public static class MemberRules
{
    public const string OwnRoleMessage = "You cannot change your own role.";
    public const string OwnStatusMessage = "You cannot deactivate your own account.";
    public const string AboveOwnRoleMessage = "You cannot give a role higher than your own.";
    public const string HigherMemberMessage = "You cannot manage a member whose role is higher than yours.";
    public const string LastSuperAdminDemoteMessage = "The last SuperAdmin cannot be demoted.";
    public const string LastSuperAdminDeactivateMessage = "The last SuperAdmin cannot be deactivated.";

    /// <param name="otherActiveSuperAdmins">Active SuperAdmins of the organization other than the target.</param>
    public static string? RefuseRoleChange(MemberFacts actor, MemberFacts target, Role newRole, int otherActiveSuperAdmins) =>
        target.Id == actor.Id ? OwnRoleMessage
        : target.Role.Priority() > actor.Role.Priority() ? HigherMemberMessage
        : newRole.Priority() > actor.Role.Priority() ? AboveOwnRoleMessage
        : LosesLastSuperAdmin(target, newRole == Role.SuperAdmin && target.IsActive, otherActiveSuperAdmins) ? LastSuperAdminDemoteMessage
        : null;

    public static string? RefuseStatusChange(MemberFacts actor, MemberFacts target, bool active, int otherActiveSuperAdmins) =>
        target.Id == actor.Id ? OwnStatusMessage
        : target.Role.Priority() > actor.Role.Priority() ? HigherMemberMessage
        : LosesLastSuperAdmin(target, active, otherActiveSuperAdmins) ? LastSuperAdminDeactivateMessage
        : null;

    private static bool LosesLastSuperAdmin(MemberFacts target, bool stillActiveSuperAdminAfter, int otherActiveSuperAdmins) =>
        target.Role == Role.SuperAdmin && target.IsActive && !stillActiveSuperAdminAfter && otherActiveSuperAdmins == 0;
}
