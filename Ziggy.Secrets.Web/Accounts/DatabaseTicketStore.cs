using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>
/// The auth cookie's session store (<see cref="CookieAuthenticationOptions.SessionStore"/>): each sign-in becomes a
/// <see cref="UserSession"/> row in the app's database and the cookie carries only the row's id, so a deleted row ends
/// the session on every instance at once, whatever copy of the cookie is replayed. The ticket is stored protected by
/// Data Protection. Idle timeout and absolute lifetime (<see cref="UserSessionOptions"/>) are judged here, on the row.
/// </summary>
public sealed class DatabaseTicketStore(IDataProtectionProvider protection, TimeProvider clock, IOptions<UserSessionOptions> options, IServiceScopeFactory scopes)
    : ITicketStore
{
    private static readonly object CurrentSessionItem = new();
    private static readonly object SessionUserItem = new();

    // One primary-key read per request, through a compiled query: the session row and, in the same round trip, its
    // user's current state for SessionValidator (a session's user exists: deleting a user deletes its sessions).
    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, Task<StoredSession?>>> SessionById = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext db, Guid id) => db.UserSessions.AsNoTracking().Where(s => s.Id == id)
            .Join(db.Users, s => s.UserId, u => u.Id, (s, u) => new StoredSession(s.CreatedAt, s.LastSeenAt, s.Ticket,
                new SessionUser(u.Id, u.IsActive, u.SecurityStamp, u.Role, u.DisplayName, u.OrganizationId, u.TwoFactorEnabled,
                    u.Organization!.TwoFactorRequirement)))
            .FirstOrDefault()));

    private sealed record StoredSession(DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, byte[] Ticket, SessionUser User);

    private readonly IDataProtector _protector = protection.CreateProtector("Ziggy.Secrets.Web.Accounts.SessionTicket");

    /// <summary>The session the request came with (or just signed in with), for the Sessions page to mark.</summary>
    public static Guid? CurrentSessionId(HttpContext context) => context.Items[CurrentSessionItem] as Guid?;

    /// <summary>The current state of the user the request's session belongs to, as read with the session row.</summary>
    public static SessionUser? SessionUserOf(HttpContext context) => context.Items[SessionUserItem] as SessionUser;

    public Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken) =>
        StoreAsync(Db(httpContext), ticket, httpContext);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken) =>
        RetrieveAsync(Db(httpContext), key, httpContext);

    // The cookie handler renews when the response starts, which may be while the request's own context is still reading
    // (the grid's rows are streamed from it): a context of its own, since PostgreSQL runs one command at a time per
    // connection.
    public Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken) =>
        InScopeAsync(db => RenewAsync(db, key, ticket));

    public Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken) => RemoveAsync(Db(httpContext), key);

    // The cookie handler calls the overloads above; these serve a caller without a request.
    public Task<string> StoreAsync(AuthenticationTicket ticket) => InScopeAsync(db => StoreAsync(db, ticket, null));

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => InScopeAsync(db => RetrieveAsync(db, key, null));

    public Task RenewAsync(string key, AuthenticationTicket ticket) => InScopeAsync(db => RenewAsync(db, key, ticket));

    public Task RemoveAsync(string key) => InScopeAsync(db => RemoveAsync(db, key));

    private async Task<string> StoreAsync(ZiggyDbContext db, AuthenticationTicket ticket, HttpContext? http)
    {
        var now = clock.GetUtcNow();
        // Sessions nobody came back to are removed at each sign-in, so the table holds live sessions only.
        await db.UserSessions.Where(options.Value.Ended(now)).ExecuteDeleteAsync();

        var session = new UserSession
        {
            UserId = UserIdOf(ticket),
            CreatedAt = now,
            LastSeenAt = now,
            Browser = BrowserName.Describe(http?.Request.Headers.UserAgent),
            Ip = http?.Connection.RemoteIpAddress?.ToString(),
            Ticket = Protect(ticket),
        };
        db.UserSessions.Add(session);
        await db.SaveChangesAsync();
        db.Entry(session).State = EntityState.Detached;
        if (http is not null) http.Items[CurrentSessionItem] = session.Id;
        return session.Id.ToString("N");
    }

    private async Task<AuthenticationTicket?> RetrieveAsync(ZiggyDbContext db, string key, HttpContext? http)
    {
        if (!Guid.TryParseExact(key, "N", out var id)) return null;
        // The first database work of a signed-in request: the connection stays open until the request's context is
        // disposed, so the user check and the page's own queries reuse it. Each open of a pooled SQLite connection
        // registers EF Core's SQL functions on it again, which a save's half-dozen queries otherwise pay every time.
        await db.Database.OpenConnectionAsync();
        var stored = await SessionById.For(db)(db, id);
        if (stored is null) return null;

        var now = clock.GetUtcNow();
        if (options.Value.HasEnded(stored.CreatedAt, stored.LastSeenAt, now))
        {
            await RemoveAsync(db, key);
            return null;
        }

        if (now - stored.LastSeenAt >= UserSessionOptions.LastSeenResolution)
            await db.UserSessions.Where(s => s.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now));

        var ticket = Unprotect(stored.Ticket);
        if (ticket is not null && http is not null)
        {
            http.Items[CurrentSessionItem] = id;
            http.Items[SessionUserItem] = stored.User;
        }

        return ticket;
    }

    private async Task RenewAsync(ZiggyDbContext db, string key, AuthenticationTicket ticket)
    {
        if (!Guid.TryParseExact(key, "N", out var id)) return;
        var userId = UserIdOf(ticket);
        var protectedTicket = Protect(ticket);
        var renewed = await db.UserSessions.Where(s => s.Id == id && s.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Ticket, protectedTicket));

        // The cookie handler also renews the session a request came with when that request signs someone in, keeping
        // its id. Handed to another user, the session would let whoever else holds its cookie in as them (session
        // fixation): it ends instead, and the new user signs in afresh. A session already ended is never brought back.
        if (renewed == 0) await RemoveAsync(db, key);
    }

    private static async Task RemoveAsync(ZiggyDbContext db, string key)
    {
        if (Guid.TryParseExact(key, "N", out var id)) await db.UserSessions.Where(s => s.Id == id).ExecuteDeleteAsync();
    }

    private static Guid UserIdOf(AuthenticationTicket ticket) =>
        Guid.TryParse(ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            ? id
            : throw new InvalidOperationException("A sign-in ticket must name its user.");

    private byte[] Protect(AuthenticationTicket ticket) => _protector.Protect(TicketSerializer.Default.Serialize(ticket));

    private AuthenticationTicket? Unprotect(byte[] stored)
    {
        try
        {
            return TicketSerializer.Default.Deserialize(_protector.Unprotect(stored));
        }
        catch (CryptographicException)
        {
            // Protected under a key this instance no longer has: the session cannot be used.
            return null;
        }
    }

    private static ZiggyDbContext Db(HttpContext context) => context.RequestServices.GetRequiredService<ZiggyDbContext>();

    private async Task<T> InScopeAsync<T>(Func<ZiggyDbContext, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<ZiggyDbContext>());
    }

    private async Task InScopeAsync(Func<ZiggyDbContext, Task> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<ZiggyDbContext>());
    }
}
