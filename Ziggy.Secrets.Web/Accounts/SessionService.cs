using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>A session as its owner sees it on the Sessions page.</summary>
public sealed record SessionRow(Guid Id, string Browser, string? Ip, DateTimeOffset SignedInAt, DateTimeOffset LastSeenAt, bool IsCurrent);

/// <summary>
/// A user's own sessions, and ending every session of a user. Every query names the user, so one user's session ids are
/// NotFound to everyone else. An ended session is a deleted row (<see cref="DatabaseTicketStore"/>): its cookie signs in
/// nowhere from the next request on.
/// </summary>
public sealed class SessionService(ZiggyDbContext db, AuditTrail audit, TimeProvider clock, IOptions<UserSessionOptions> options)
{
    public async Task<IReadOnlyList<SessionRow>> ListAsync(CurrentUser actor, Guid? currentSessionId)
    {
        var sessions = await db.UserSessions.AsNoTracking().Where(s => s.UserId == actor.UserId)
            .Select(s => new SessionRow(s.Id, s.Browser, s.Ip, s.CreatedAt, s.LastSeenAt, false))
            .ToListAsync();
        var now = clock.GetUtcNow();
        // One that ended but was not yet removed (it is, at its next request or the next sign-in) is not listed.
        return sessions.Where(s => !options.Value.HasEnded(s.SignedInAt, s.LastSeenAt, now))
            .OrderByDescending(s => s.LastSeenAt)
            .Select(s => s with { IsCurrent = s.Id == currentSessionId })
            .ToList();
    }

    /// <summary>Ends one of <paramref name="actor"/>'s own sessions; anyone else's session id is NotFound.</summary>
    public Task<Result<bool>> SignOutAsync(CurrentUser actor, Guid sessionId) => db.InTransactionAsync(async () =>
    {
        var session = await db.UserSessions.AsNoTracking().Where(s => s.Id == sessionId && s.UserId == actor.UserId)
            .Select(s => new { s.Browser, s.Ip }).FirstOrDefaultAsync();
        if (session is null) return Result<bool>.NotFound();

        await db.UserSessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync();
        audit.Record(AuditAction.SessionsEnded, AuditActor.Of(actor), $"Signed out of a session ({session.Browser}, {session.Ip ?? "unknown address"}).",
            targetUserId: actor.UserId);
        await db.SaveChangesAsync();
        return Result<bool>.Ok(true);
    });

    /// <summary>Ends every session of <paramref name="actor"/>, the current one included.</summary>
    public Task<int> SignOutEverywhereAsync(CurrentUser actor) => EndAllAndSaveAsync(actor.UserId, null, AuditActor.Of(actor), "Signed out everywhere");

    /// <summary>
    /// Ends every session of a user as part of the caller's transaction: the rows go at once, the audit event is saved by
    /// the caller's SaveChanges, so neither happens without the other. <paramref name="reason"/> opens the event's details.
    /// </summary>
    public async Task<int> EndAllAsync(Guid userId, string? userName, AuditActor actor, string reason)
    {
        var ended = await db.UserSessions.Where(s => s.UserId == userId).ExecuteDeleteAsync();
        audit.Record(AuditAction.SessionsEnded, actor, $"{reason}: {ended} {(ended == 1 ? "session" : "sessions")} ended.",
            targetUserId: userId, targetName: userName);
        return ended;
    }

    /// <summary><see cref="EndAllAsync"/> in a transaction of its own, for a caller that has none.</summary>
    public async Task<int> EndAllAndSaveAsync(Guid userId, string? userName, AuditActor actor, string reason) =>
        (await db.InTransactionAsync(async () =>
        {
            var ended = await EndAllAsync(userId, userName, actor, reason);
            await db.SaveChangesAsync();
            return Result<int>.Ok(ended);
        })).Value;
}
