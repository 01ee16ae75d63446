namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// A single-use link that lets a member choose a new password, made by an Admin on the Team page or by the operator's
/// <c>reset-password</c> command. It works for an hour, once, until revoked. Only the SHA-256 of its token is stored: a
/// copy of the database cannot be turned back into working links.
/// </summary>
public sealed class PasswordResetLink
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public Guid Id { get; init; } = Guid.NewGuid();

    public Guid OrganizationId { get; init; }

    public Guid UserId { get; init; }

    public required string TokenHash { get; init; }

    /// <summary>The Admin who made it; null for the operator's command.</summary>
    public Guid? CreatedById { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? UsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>The token travels in the fragment, which browsers never send to a server, so it lands in no access log.</summary>
    public static string LinkPath(string token) => $"/Account/ResetPassword#{token}";

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;

    public bool IsOpen(DateTimeOffset now) => UsedAt is null && RevokedAt is null && !IsExpired(now);
}
