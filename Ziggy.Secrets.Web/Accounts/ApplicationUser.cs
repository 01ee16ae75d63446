using Microsoft.AspNetCore.Identity;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>An account. Every user belongs to exactly one organization; the email is the user name.</summary>
public sealed class ApplicationUser : IdentityUser<Guid>
{
    public const int DisplayNameMaxLength = 100;

    public Guid OrganizationId { get; set; }

    public Organization? Organization { get; set; }

    public string DisplayName { get; set; } = "";

    public Role Role { get; set; } = Role.Member;

    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; init; }
}
