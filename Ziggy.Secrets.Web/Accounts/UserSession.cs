namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// One sign-in, from one browser. The auth cookie carries only its id; the sign-in ticket itself is stored here, protected
/// by Data Protection, so deleting the row ends the session on every instance at once (<see cref="DatabaseTicketStore"/>).
/// </summary>
public sealed class UserSession
{
    public const int BrowserMaxLength = 100;

    public Guid Id { get; init; } = Guid.NewGuid();

    public Guid UserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The last request seen, to within <see cref="UserSessionOptions.LastSeenResolution"/>.</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>A short description such as "Firefox on Windows" (<see cref="BrowserName"/>), never the raw User-Agent.</summary>
    public string Browser { get; init; } = "";

    public string? Ip { get; init; }

    /// <summary>The serialized <c>AuthenticationTicket</c>, protected with Data Protection.</summary>
    public byte[] Ticket { get; set; } = [];
}
