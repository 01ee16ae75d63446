using System.Linq.Expressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Audit;

public sealed record AuditRow(long Id, DateTimeOffset At, string User, string Action, string? Secret, string? Target, string? Ip, string Details);

/// <summary>Reading the trail: the organization's events for its administrators, a secret's history for who may change it.</summary>
public sealed class AuditQueries(ZiggyDbContext db, IAuthorizationService authorization)
{
    public const int MaxRows = 10_000;

    private const int SecretHistoryRows = 20;

    public async Task<IReadOnlyList<AuditRow>?> ListAsync(CurrentUser actor)
    {
        if (!await authorization.AllowsAsync(actor, OrganizationOperations.Administer)) return null;
        return await Rows(db.AuditEvents.Where(e => e.OrganizationId == actor.OrganizationId)).ToListAsync();
    }

    /// <summary>The latest events of a secret the caller found in the actor's organization, newest first, as its editor shows them.</summary>
    public async Task<IReadOnlyList<AuditRow>> SecretHistoryAsync(Guid secretId)
    {
        return await SecretHistory.For(db)(db, secretId).ToListAsync();
    }

    private static IQueryable<AuditRow> Rows(IQueryable<AuditEvent> events) => events.OrderByDescending(e => e.Id).Take(MaxRows).Select(RowOf);

    private static readonly Expression<Func<AuditEvent, AuditRow>> RowOf =
        e => new AuditRow(e.Id, e.At, e.ActorName, AuditActionNames.Readable(e.Action), e.SecretName, e.TargetName, e.Ip, e.Details);

    // Read whenever a secret's Audit history is opened: compiled once. PostgreSQL keeps one plan for a
    // prepared statement, made without the secret's id; the order is the (SecretId, At) index's own, which no other
    // path gives without sorting all the rows, so that plan reads only this secret's newest events. Filtered on the
    // organization as well, it could walk the organization's (OrganizationId, At) index instead, through every event
    // of every other secret. The caller found the secret in its organization, and its events are that organization's.
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, IAsyncEnumerable<AuditRow>>> SecretHistory = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext c, Guid secretId) =>
            c.AuditEvents.Where(e => e.SecretId == secretId)
                .OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(SecretHistoryRows).Select(RowOf)));
}
