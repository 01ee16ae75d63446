namespace Ziggy.Secrets.Web.Accounts;

public sealed record MemberRow(Guid Id, string DisplayName, string Email, Role Role, bool IsActive, bool TwoFactorEnabled = false)
{
    public string Status => IsActive ? "Active" : "Deactivated";
}

public sealed record PendingInvitation(Guid Id, string Email, Role Role, DateTimeOffset ExpiresAt);

/// <summary>A member as the team page lists them, with whether the viewer is offered any change to them.</summary>
public sealed record TeamMember(MemberRow Member, bool CanManage);

/// <param name="CanSetTwoFactorRequirement">Whether the viewer may change <paramref name="TwoFactorRequirement"/>.</param>
public sealed record TeamView(string OrganizationName, IReadOnlyList<TeamMember> Members, IReadOnlyList<PendingInvitation> Invitations,
    TwoFactorRequirement TwoFactorRequirement = TwoFactorRequirement.Off, bool CanSetTwoFactorRequirement = false);

/// <summary>A freshly made invitation. The token exists only here, shown once to the inviter; the database keeps its hash.</summary>
public sealed record CreatedInvitation(string Token, string OrganizationName, string Email, Role Role, DateTimeOffset ExpiresAt);

/// <summary>What someone opening an invitation link sees.</summary>
public sealed record InvitationView(string OrganizationName, string Email, Role Role, DateTimeOffset ExpiresAt);
