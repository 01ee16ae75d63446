using System.Net;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Tokens;

/// <summary>A machine API call as judged, waiting to be recorded: the answer is sent only once its record is committed.</summary>
public sealed record TokenCall(Guid TokenId, AuditActor Actor, string What, string Names, DateTimeOffset At, IPAddress? Client, ApiAnswer Judged);

/// <summary>
/// Records machine API calls: each call's audit event, and its token's last use, committed before the call's answer
/// leaves. The calls that arrive while a commit is under way are recorded together in the next one, so a busy API
/// pays one durable commit for many calls instead of one each (on SQLite, whose one writer syncs its log to disk at
/// every commit, that commit is what limits the calls a second). No call waits for others to join it: one that finds no
/// commit under way is committed at once. PostgreSQL commits many transactions at a time and syncs their log together
/// itself: there each call is recorded in a transaction of its own on the request's connection.
/// <para>
/// Every commit reads its tokens again as committed now, inside its write transaction: a revocation committed while a
/// call was judged wins, and the call is recorded as refused. When a group cannot be committed, each of its calls is
/// tried again in a commit of its own, so one call's failure refuses that call only; a call that cannot be recorded
/// gets the exception and no value.
/// </para>
/// </summary>
public sealed class TokenCallRecorder : IAsyncDisposable, IDisposable
{
    // A bound on one transaction's size; calls beyond it wait for the next commit.
    private const int MaxGroup = 256;

    private sealed record Pending(TokenCall Call, TaskCompletionSource<ApiAnswer> Answer);

    /// <summary>A token as committed now: revoked or not, and its last use.</summary>
    private sealed record CommittedState(Guid Id, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, string? LastUsedIp);

    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid[], IAsyncEnumerable<CommittedState>>> Committed = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext db, Guid[] ids) => db.AccessTokens.Where(t => ids.Contains(t.Id))
            .Select(t => new CommittedState(t.Id, t.RevokedAt, t.LastUsedAt, t.LastUsedIp))));

    private readonly Channel<Pending> _calls = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IServiceScopeFactory _scopes;
    private readonly Task _writer;

    public TokenCallRecorder(IServiceScopeFactory scopes)
    {
        _scopes = scopes;
        // The writer serves every request: it must not carry the context (request, user, log scope) of the one that
        // happened to create it.
        using (ExecutionContext.SuppressFlow()) _writer = Task.Run(WriteAsync);
    }

    /// <summary>The call's answer once its record is committed: the judged one, or a refusal when the token was revoked since.</summary>
    public async Task<ApiAnswer> RecordAsync(ZiggyDbContext db, TokenCall call)
    {
        if (!db.Database.IsSqlite()) return (await RecordAsync(db, [call]))[0];
        var pending = new Pending(call, new TaskCompletionSource<ApiAnswer>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_calls.Writer.TryWrite(pending)) pending.Answer.SetException(new ObjectDisposedException(nameof(TokenCallRecorder)));
        return await pending.Answer.Task;
    }

    /// <summary>Takes no more calls; those already waiting are still recorded (or refused, when the database is gone).</summary>
    public async ValueTask DisposeAsync()
    {
        _calls.Writer.TryComplete();
        await _writer;
    }

    public void Dispose() => _calls.Writer.TryComplete();

    private async Task WriteAsync()
    {
        var reader = _calls.Reader;
        var group = new List<Pending>();
        while (await reader.WaitToReadAsync())
        {
            while (group.Count < MaxGroup && reader.TryRead(out var pending)) group.Add(pending);
            await CommitAsync(group);
            group.Clear();
        }
    }

    private async Task CommitAsync(IReadOnlyList<Pending> group)
    {
        ApiAnswer[] answers;
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            answers = await RecordAsync(scope.ServiceProvider.GetRequiredService<ZiggyDbContext>(), group.Select(p => p.Call).ToList());
        }
        catch (Exception) when (group.Count > 1)
        {
            foreach (var pending in group) await CommitAsync([pending]);
            return;
        }
        catch (Exception e)
        {
            group[0].Answer.SetException(e);
            return;
        }

        for (var i = 0; i < group.Count; i++) group[i].Answer.SetResult(answers[i]);
    }

    private static async Task<ApiAnswer[]> RecordAsync(ZiggyDbContext db, IReadOnlyList<TokenCall> calls)
    {
        var result = await db.InTransactionAsync(async () =>
        {
            var answering = calls.Where(c => c.Judged.Values is not null).Select(c => c.TokenId).Distinct().ToArray();
            var states = answering.Length == 0 ? []
                : await Committed.For(db)(db, answering).ToDictionaryAsync(s => s.Id);
            var answers = new ApiAnswer[calls.Count];
            var latest = new Dictionary<Guid, (DateTimeOffset At, string? Address)>();
            for (var i = 0; i < calls.Count; i++)
            {
                var call = calls[i];
                var answer = call.Judged;
                if (answer.Values is not null)
                {
                    var state = states.GetValueOrDefault(call.TokenId);
                    answer = state switch
                    {
                        null => AccessTokenService.Invalid(),
                        { RevokedAt: { } revokedAt } => AccessTokenService.Revoked(revokedAt),
                        _ => answer,
                    };
                    if (answer.Values is not null) latest[call.TokenId] = (call.At, AddressOf(call.Client));
                }

                var (action, details) = answer.Values is not null
                    ? (AuditAction.AccessTokenUsed, $"{call.What}: read {call.Names}.")
                    : (AuditAction.AccessTokenRefused, $"{call.What}: refused ({answer.Code}): {answer.Detail}");
                db.AuditEvents.Add(AuditTrail.Event(action, call.Actor, call.At, call.Client?.ToString(), details,
                    secretName: call.Names.Length == 0 ? null : call.Names));
                answers[i] = answer;
            }

            // A token's last use is kept to the minute (AccessTokenService.LastUseResolution): its row is written when the
            // newest call recorded here is a minute past the committed one or came from another address, so calls of one
            // token in different commits (or on other instances) rarely collide on it.
            foreach (var (id, (at, address)) in latest)
            {
                var state = states[id];
                if (state.LastUsedAt is { } last && at - last < AccessTokenService.LastUseResolution && state.LastUsedIp == address) continue;
                await db.AccessTokens.Where(t => t.Id == id).ExecuteUpdateAsync(set => set.SetProperty(t => t.LastUsedAt, at).SetProperty(t => t.LastUsedIp, address));
            }

            await db.SaveChangesAsync();
            return Result<ApiAnswer[]>.Ok(answers);
        });
        return result.Value!;
    }

    private static string? AddressOf(IPAddress? client) =>
        client is { IsIPv4MappedToIPv6: true } ? client.MapToIPv4().ToString() : client?.ToString();
}
