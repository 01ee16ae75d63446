using System.Security.Claims;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>The signed-in user as the cookie describes them (refreshed from the database on every request).</summary>
public sealed record CurrentUser(Guid UserId, Guid OrganizationId, Role Role, string DisplayName)
{
    public const string OrganizationClaim = "ziggy:org";
    public const string RoleClaim = "ziggy:role";
    public const string DisplayNameClaim = "ziggy:name";
    public const string OrganizationNameClaim = "ziggy:orgname";

    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true) return null;
        if (!Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var userId)) return null;
        if (!Guid.TryParse(principal.FindFirstValue(OrganizationClaim), out var orgId)) return null;
        if (!Enum.TryParse<Role>(principal.FindFirstValue(RoleClaim), out var role)) return null;
        return new CurrentUser(userId, orgId, role, principal.FindFirstValue(DisplayNameClaim) ?? "");
    }

    /// <summary>The same user as a principal, for ASP.NET Core's resource-based authorization.</summary>
    public ClaimsPrincipal ToPrincipal() => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, UserId.ToString()),
        new Claim(OrganizationClaim, OrganizationId.ToString()),
        new Claim(RoleClaim, Role.ToString()),
        new Claim(DisplayNameClaim, DisplayName),
    ], authenticationType: "Ziggy"));

    public static CurrentUser Required(ClaimsPrincipal principal) =>
        From(principal) ?? throw new InvalidOperationException("This page requires a signed-in user.");
}
