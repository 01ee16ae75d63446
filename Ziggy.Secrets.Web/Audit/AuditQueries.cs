using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Audit;

public sealed record AuditRow(long Id, DateTimeOffset At, string User, string Action, string? Secret, string? Target, string? Ip, string Details);

/// <summary>Reading the trail: the organization's events for its administrators, a secret's history for who may change it.</summary>
public sealed class AuditQueries(ZiggyDbContext db)
{
    public const int MaxRows = 10_000;

    public async Task<IReadOnlyList<AuditRow>?> ListAsync(CurrentUser actor)
    {
        if (!actor.Role.IsAdministrator()) return null;
        return await Rows(db.AuditEvents.Where(e => e.OrganizationId == actor.OrganizationId)).ToListAsync();
    }

    public async Task<IReadOnlyList<AuditRow>> SecretHistoryAsync(Guid organizationId, Guid secretId) =>
        await Rows(db.AuditEvents.Where(e => e.OrganizationId == organizationId && e.SecretId == secretId)).Take(20).ToListAsync();

    private static IQueryable<AuditRow> Rows(IQueryable<AuditEvent> events) =>
        events.OrderByDescending(e => e.Id).Take(MaxRows)
            .Select(e => new AuditRow(e.Id, e.At, e.ActorName, e.Action.ToString(), e.SecretName, e.TargetName, e.Ip, e.Details));
}
