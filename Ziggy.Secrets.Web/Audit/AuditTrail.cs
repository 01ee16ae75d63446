using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Audit;

/// <summary>Who is acting, as the audit trail names them.</summary>
public sealed record AuditActor(Guid? Id, string Name, Guid? OrganizationId)
{
    public static AuditActor Of(CurrentUser user) => new(user.UserId, user.DisplayName, user.OrganizationId);

    public static AuditActor Of(ApplicationUser user) => new(user.Id, user.DisplayName, user.OrganizationId);
}

/// <summary>
/// Adds audit events to the caller's unit of work. They are saved by the same SaveChanges, in the same transaction,
/// as the change they describe: if the event cannot be written, the change is not made either (fail closed).
/// </summary>
public sealed class AuditTrail(ZiggyDbContext db, IHttpContextAccessor http, TimeProvider clock)
{
    public void Record(AuditAction action, AuditActor actor, string details = "",
        Guid? secretId = null, string? secretName = null, Guid? targetUserId = null, string? targetName = null) =>
        db.AuditEvents.Add(Event(action, actor, clock.GetUtcNow(), http.HttpContext?.Connection.RemoteIpAddress?.ToString(), details,
            secretId, secretName, targetUserId, targetName));

    /// <summary>An event as <see cref="Record"/> adds it, for a writer outside the request (its time and address given).</summary>
    public static AuditEvent Event(AuditAction action, AuditActor actor, DateTimeOffset at, string? ip, string details,
        Guid? secretId = null, string? secretName = null, Guid? targetUserId = null, string? targetName = null) => new()
    {
        OrganizationId = actor.OrganizationId,
        At = at,
        ActorId = actor.Id,
        ActorName = Truncate(actor.Name, 256),
        Ip = ip,
        Action = action,
        SecretId = secretId,
        SecretName = secretName is null ? null : Truncate(secretName, 2000),
        TargetUserId = targetUserId,
        TargetName = targetName is null ? null : Truncate(targetName, 256),
        Details = Truncate(details, 4000),
    };

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
