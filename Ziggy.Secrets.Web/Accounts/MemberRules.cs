namespace Ziggy.Secrets.Web.Accounts;

/// <summary>What the rules need to know about a person, as loaded from the database: who, where, which role, still active.</summary>
public sealed record MemberFacts(Guid Id, Guid OrganizationId, Role Role, bool IsActive)
{
    public static MemberFacts Of(ApplicationUser user) => new(user.Id, user.OrganizationId, user.Role, user.IsActive);
}

/// <summary>A proposed change to a member, judged with both people as loaded inside the change's transaction.</summary>
/// <param name="OtherActiveSuperAdmins">Active SuperAdmins of the organization other than the target.</param>
public abstract record MemberChange(MemberFacts Target, int OtherActiveSuperAdmins);

public sealed record RoleChange(MemberFacts Target, Role NewRole, int OtherActiveSuperAdmins) : MemberChange(Target, OtherActiveSuperAdmins);

public sealed record StatusChange(MemberFacts Target, bool Active, int OtherActiveSuperAdmins) : MemberChange(Target, OtherActiveSuperAdmins);

/// <summary>Ending every session of a member (the count of SuperAdmins does not matter to it).</summary>
public sealed record SignOutEverywhere(MemberFacts Target, int OtherActiveSuperAdmins) : MemberChange(Target, OtherActiveSuperAdmins);
/// <summary>Turning off a member's two-factor sign-in (a lost phone): their authenticator and recovery codes stop working.</summary>
public sealed record TwoFactorReset(MemberFacts Target, int OtherActiveSuperAdmins) : MemberChange(Target, OtherActiveSuperAdmins);

/// <summary>
/// Who counts as what, and the ceilings on what an administrator may do to other members, in one place and free of
/// storage so each can be tested on its own. Only the authorization handlers call these (pages and services ask
/// <c>IAuthorizationService</c>); they check first that both people are in the same organization. The Refuse methods
/// answer the refusal message, or null when the change is allowed.
/// </summary>
public static class MemberRules
{
    public const string OwnRoleMessage = "You cannot change your own role.";
    public const string OwnStatusMessage = "You cannot deactivate your own account.";
    public const string AboveOwnRoleMessage = "You cannot give a role higher than your own.";
    public const string HigherMemberMessage = "You cannot manage a member whose role is higher than yours.";
    public const string LastSuperAdminDemoteMessage = "The last SuperAdmin cannot be demoted.";
    public const string LastSuperAdminDeactivateMessage = "The last SuperAdmin cannot be deactivated.";
    public const string OwnSessionsMessage = "End your own sessions on your Sessions page.";
    public const string OwnTwoFactorMessage = "Change your own two-factor sign-in on your Two-factor page, where it asks for your password.";
    public const string OwnPasswordResetMessage = "You cannot create a password reset link for yourself.";

    /// <summary>
    /// The role someone acts with. A deactivated member keeps their role on record but acts as a Member: an integration
    /// they own still runs, with no more than a Member's reach.
    /// </summary>
    public static Role ActsAs(MemberFacts member) => member.IsActive ? member.Role : Role.Member;

    /// <summary>Administers the organization and may change anyone's secrets: role priority of at least 100.</summary>
    public static bool IsAdministrator(MemberFacts member) => ActsAs(member).Priority() >= Roles.AdminPriority;

    /// <summary>Creates other organizations: the highest role only.</summary>
    public static bool ManagesOrganizations(MemberFacts member) => ActsAs(member) == Role.SuperAdmin;

    /// <summary>Whether the team page offers the actor any change to this member (each change is judged again when made).</summary>
    public static bool MayManage(MemberFacts actor, MemberFacts target) => target.Id != actor.Id && !Outranks(target, actor);

    public static string? RefuseInvitation(MemberFacts actor, Role role) => role.Priority() > actor.Role.Priority() ? AboveOwnRoleMessage : null;

    public static string? RefuseRoleChange(MemberFacts actor, MemberFacts target, Role newRole, int otherActiveSuperAdmins) =>
        target.Id == actor.Id ? OwnRoleMessage
        : Outranks(target, actor) ? HigherMemberMessage
        : RefuseInvitation(actor, newRole) is { } aboveOwnRole ? aboveOwnRole
        : LosesLastSuperAdmin(target, newRole == Role.SuperAdmin && target.IsActive, otherActiveSuperAdmins) ? LastSuperAdminDemoteMessage
        : null;

    public static string? RefuseStatusChange(MemberFacts actor, MemberFacts target, bool active, int otherActiveSuperAdmins) =>
        target.Id == actor.Id ? OwnStatusMessage
        : Outranks(target, actor) ? HigherMemberMessage
        : LosesLastSuperAdmin(target, active, otherActiveSuperAdmins) ? LastSuperAdminDeactivateMessage
        : null;

    public static string? RefuseSignOutEverywhere(MemberFacts actor, MemberFacts target) =>
        target.Id == actor.Id ? OwnSessionsMessage
        : Outranks(target, actor) ? HigherMemberMessage
        : null;

    /// <remarks>Not one's own: that would turn off the second factor without the password the Two-factor page asks for.</remarks>
    public static string? RefuseTwoFactorReset(MemberFacts actor, MemberFacts target) =>
        target.Id == actor.Id ? OwnTwoFactorMessage
        : Outranks(target, actor) ? HigherMemberMessage
        : null;

    /// <summary>
    /// A password reset link for someone else, never above the actor's role. Not for oneself: a signed-in session (perhaps
    /// a stolen one) must not be enough to set a new password without the current one.
    /// </summary>
    public static string? RefusePasswordReset(MemberFacts actor, MemberFacts target) =>
        target.Id == actor.Id ? OwnPasswordResetMessage
        : Outranks(target, actor) ? HigherMemberMessage
        : null;

    // The role on record, active or not: a deactivated SuperAdmin is still beyond an Admin's reach.
    private static bool Outranks(MemberFacts target, MemberFacts actor) => target.Role.Priority() > actor.Role.Priority();

    private static bool LosesLastSuperAdmin(MemberFacts target, bool stillActiveSuperAdminAfter, int otherActiveSuperAdmins) =>
        target.Role == Role.SuperAdmin && target.IsActive && !stillActiveSuperAdminAfter && otherActiveSuperAdmins == 0;
}
