using System.Security.Claims;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// A user as the authorization handlers see them: the signed-in user as the cookie describes them (refreshed from the
/// database on every request), or a user just loaded from the database (an integration's owner, the actor of a team
/// change).
/// </summary>
public sealed record CurrentUser(Guid UserId, Guid OrganizationId, Role Role, string DisplayName, bool IsActive = true)
{
    public const string OrganizationClaim = "ziggy:org";
    public const string RoleClaim = "ziggy:role";
    public const string DisplayNameClaim = "ziggy:name";
    public const string OrganizationNameClaim = "ziggy:orgname";
    public const string ActiveClaim = "ziggy:active";

    public MemberFacts Facts => new(UserId, OrganizationId, Role, IsActive);

    public static CurrentUser Of(ApplicationUser user) => new(user.Id, user.OrganizationId, user.Role, user.DisplayName, user.IsActive);

    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true) return null;
        if (!Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var userId)) return null;
        if (!Guid.TryParse(principal.FindFirstValue(OrganizationClaim), out var orgId)) return null;
        if (!Enum.TryParse<Role>(principal.FindFirstValue(RoleClaim), out var role)) return null;
        // The sign-in cookie carries no such claim: the session check turns a deactivated user away on every request
        // before anything is authorized, so a signed-in principal is an active one. Principals made by ToPrincipal say.
        var isActive = principal.FindFirstValue(ActiveClaim) != bool.FalseString;
        return new CurrentUser(userId, orgId, role, principal.FindFirstValue(DisplayNameClaim) ?? "", isActive);
    }

    /// <summary>The same user as a principal, for ASP.NET Core's resource-based authorization.</summary>
    public ClaimsPrincipal ToPrincipal() => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, UserId.ToString()),
        new Claim(OrganizationClaim, OrganizationId.ToString()),
        new Claim(RoleClaim, Role.ToString()),
        new Claim(DisplayNameClaim, DisplayName),
        new Claim(ActiveClaim, IsActive ? bool.TrueString : bool.FalseString),
    ], authenticationType: "Ziggy"));

    public static CurrentUser Required(ClaimsPrincipal principal) =>
        From(principal) ?? throw new InvalidOperationException("This page requires a signed-in user.");
}
