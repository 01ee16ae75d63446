using Microsoft.AspNetCore.Authorization;

namespace Ziggy.Secrets.Web.Authorization;

/// <summary>An organization-level operation; <see cref="OrganizationAuthorizationHandler"/> decides it.</summary>
public sealed class OrganizationOperationRequirement(string name) : IAuthorizationRequirement
{
    public string Name { get; } = name;

    public override string ToString() => $"Organization operation {Name}";
}

/// <summary>
/// What a user may try to do in their own organization, as opposed to one of its secrets or integrations
/// (<see cref="ResourceOperations"/>). The resource each operation is asked about is named on it.
/// </summary>
public static class OrganizationOperations
{
    /// <summary>The organization's administration: its team, open invitations and audit trail, and who a secret can be handed to. No resource.</summary>
    public static readonly OrganizationOperationRequirement Administer = new(nameof(Administer));

    /// <summary>Create another organization. No resource.</summary>
    public static readonly OrganizationOperationRequirement ManageOrganizations = new(nameof(ManageOrganizations));

    /// <summary>Invite someone with a role. Resource: the <see cref="Accounts.Role"/> offered.</summary>
    public static readonly OrganizationOperationRequirement Invite = new(nameof(Invite));

    /// <summary>Be offered changes to a member at all (the team page's row actions). Resource: the member's <see cref="Accounts.MemberFacts"/>.</summary>
    public static readonly OrganizationOperationRequirement ManageMember = new(nameof(ManageMember));

    /// <summary>
    /// Change a member's role or status, end their sessions, or reset their two-factor sign-in. Resource: a
    /// <see cref="Accounts.RoleChange"/>, <see cref="Accounts.StatusChange"/>, <see cref="Accounts.SignOutEverywhere"/> or
    /// <see cref="Accounts.TwoFactorReset"/>.
    /// </summary>
    public static readonly OrganizationOperationRequirement ChangeMember = new(nameof(ChangeMember));

    /// <summary>Decide who in the organization must use two-factor sign-in. No resource.</summary>
    public static readonly OrganizationOperationRequirement SetTwoFactorRequirement = new(nameof(SetTwoFactorRequirement));

    /// <summary>Create or revoke a password reset link for a member. Resource: the member's <see cref="Accounts.MemberFacts"/>.</summary>
    public static readonly OrganizationOperationRequirement ResetPassword = new(nameof(ResetPassword));

    public static IReadOnlyList<OrganizationOperationRequirement> All { get; } = [Administer, ManageOrganizations, Invite, ManageMember, ChangeMember, SetTwoFactorRequirement, ResetPassword];
}
