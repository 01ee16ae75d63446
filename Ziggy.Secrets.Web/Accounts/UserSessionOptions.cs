using System.Linq.Expressions;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>How long a session lasts: <c>Ziggy:Sessions:IdleTimeout</c> and <c>Ziggy:Sessions:AbsoluteLifetime</c>.</summary>
public sealed class UserSessionOptions
{
    public const string Section = "Ziggy:Sessions";

    /// <summary>
    /// How often a session's last-seen time is written. Finer would write on every request; the idle timeout is therefore
    /// enforced to within this much.
    /// </summary>
    public static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(1);

    /// <summary>A session with no request for this long ends.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session ends this long after its sign-in, however active it is.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromDays(7);

    public bool HasEnded(DateTimeOffset createdAt, DateTimeOffset lastSeenAt, DateTimeOffset now) =>
        now - lastSeenAt >= IdleTimeout || now - createdAt >= AbsoluteLifetime;

    /// <summary><see cref="HasEnded"/> as a query predicate.</summary>
    public Expression<Func<UserSession, bool>> Ended(DateTimeOffset now)
    {
        var idleSince = now - IdleTimeout;
        var signedInBefore = now - AbsoluteLifetime;
        return s => s.LastSeenAt <= idleSince || s.CreatedAt <= signedInBefore;
    }
}
