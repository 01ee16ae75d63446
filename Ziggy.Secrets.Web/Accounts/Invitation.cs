namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// A single-use link that lets someone join an organization with a role. Only the SHA-256 of the token is
/// stored: a copy of the database cannot be turned back into working links.
/// </summary>
public sealed class Invitation
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public Guid Id { get; init; } = Guid.NewGuid();

    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public required string Email { get; init; }

    public required string NormalizedEmail { get; init; }

    public Role Role { get; init; }

    public required string TokenHash { get; init; }

    public Guid CreatedById { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public Guid? AcceptedUserId { get; set; }

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;
}
