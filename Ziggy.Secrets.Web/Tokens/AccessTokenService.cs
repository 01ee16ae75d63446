using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Audit;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Data;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Tokens;

/// <summary>
/// Access tokens: created by a member for secrets they may change, listed (administrators see the organization's,
/// others their own), revoked by their creator or an administrator, and read through the machine API. A token carries
/// no more than its creator could already send anywhere through a template, judged again at every use.
/// </summary>
public sealed class AccessTokenService(
    ZiggyDbContext db, IAuthorizationService authorization, SecretValueResolver resolver, AuditTrail audit, TokenCallRecorder recorder,
    TimeProvider clock)
{
    public const int DefaultDays = 90;
    public const int MaxDays = 365;
    public const int MaxSecrets = 200;

    /// <summary>
    /// How fresh a token's "last used" is kept: the tokens page shows it to the minute, so a program calling many times a
    /// minute from one address writes the token's row once a minute, not on every call (every call still has its audit
    /// event). Calls of one token at the same moment then do not all update one row, which on PostgreSQL would make
    /// their serializable transactions fail and retry against each other.
    /// </summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    // Every API call starts here: compiled once per model, read without tracking (the call's one write is its record).
    // All rows of the hash (one token at most), not the first: see PerModelQuery on single rows with a collection.
    private static readonly PerModelQuery<Func<ZiggyDbContext, byte[], IAsyncEnumerable<AccessToken>>> ByHash = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext db, byte[] hash) => db.AccessTokens.AsNoTracking().Include(t => t.Secrets).Where(t => t.Hash == hash)));

    private static readonly PerModelQuery<Func<ZiggyDbContext, Guid, Guid, Task<CurrentUser?>>> Creator = new(() =>
        EF.CompileAsyncQuery((ZiggyDbContext db, Guid userId, Guid organizationId) => db.Users.AsNoTracking()
            .Where(u => u.Id == userId && u.OrganizationId == organizationId)
            .Select(u => new CurrentUser(u.Id, u.OrganizationId, u.Role, u.DisplayName, u.IsActive)).FirstOrDefault()));


    /// <summary>The secrets <paramref name="actor"/> may put in a token: those they may change, by name.</summary>
    public async Task<IReadOnlyList<PickableSecret>> PickableAsync(CurrentUser actor)
    {
        var secrets = await db.Secrets.AsNoTracking().Where(s => s.OrganizationId == actor.OrganizationId).OrderBy(s => s.Name)
            .Select(s => new { s.Id, s.Name, s.Description, s.OrganizationId, s.OwnerId }).ToListAsync();
        var pickable = new List<PickableSecret>(secrets.Count);
        foreach (var s in secrets)
        {
            if (await authorization.AllowsAsync(actor, new NamedSecret(s.Name, s.OrganizationId, s.OwnerId), ResourceOperations.Update))
                pickable.Add(new PickableSecret(s.Id, s.Name, s.Description));
        }

        return pickable;
    }

    public async Task<Result<CreatedAccessToken>> CreateAsync(CurrentUser actor, AccessTokenDraft draft)
    {
        var errors = new List<FieldError>();
        var purpose = (draft.Purpose ?? "").Trim();
        if (purpose.Length == 0) errors.Add(new(nameof(draft.Purpose), "Enter what the token is for, such as billing-worker."));
        else if (purpose.Length > AccessToken.PurposeMaxLength) errors.Add(new(nameof(draft.Purpose), $"The purpose can be at most {AccessToken.PurposeMaxLength} characters."));
        else if (purpose.Any(char.IsControl)) errors.Add(new(nameof(draft.Purpose), "The purpose cannot contain control characters or line breaks."));

        SecretEnvironment environment = default;
        if (string.IsNullOrWhiteSpace(draft.Environment) || !Enum.TryParse(draft.Environment, ignoreCase: false, out environment)
            || !Enum.IsDefined(environment) || char.IsDigit(draft.Environment[0]))
            errors.Add(new(nameof(draft.Environment), "Choose one environment: Development, Staging or Production."));

        if (draft.ExpiresInDays is not { } days) errors.Add(new(nameof(draft.ExpiresInDays), $"Enter how many days the token stays valid (1 to {MaxDays})."));
        else if (days is < 1 or > MaxDays) errors.Add(new(nameof(draft.ExpiresInDays), $"A token is valid for 1 to {MaxDays} days."));

        var (networks, networkErrors) = AllowedNetworks.Parse(draft.Networks);
        errors.AddRange(networkErrors.Select(e => new FieldError(nameof(draft.Networks), e)));
        var formattedNetworks = AllowedNetworks.Format(networks);
        if (formattedNetworks.Length > AccessToken.NetworksMaxLength) errors.Add(new(nameof(draft.Networks), "The list of networks is too long."));

        var ids = draft.SecretIds.Distinct().ToList();
        if (ids.Count == 0) errors.Add(new(nameof(draft.SecretIds), "Choose at least one secret."));
        else if (ids.Count > MaxSecrets) errors.Add(new(nameof(draft.SecretIds), $"A token can carry at most {MaxSecrets} secrets."));
        if (errors.Count > 0) return Result<CreatedAccessToken>.Invalid(errors);

        return await db.InTransactionAsync(async () =>
        {
            // Judged inside the transaction, on the secrets as stored now.
            var secrets = (await db.Secrets.AsNoTracking().WithIds(ids).Select(s => new { s.Id, s.Name, s.OrganizationId, s.OwnerId }).ToListAsync())
                .InOrganization(actor.OrganizationId, s => s.OrganizationId);
            var refused = new List<string>();
            foreach (var s in secrets)
            {
                if (!await authorization.AllowsAsync(actor, new NamedSecret(s.Name, s.OrganizationId, s.OwnerId), ResourceOperations.Update)) refused.Add(s.Name);
            }

            // Ids of other organizations' secrets count as missing: nothing tells them apart from ids that never existed.
            var missing = ids.Count - secrets.Count;
            var scopeErrors = new List<FieldError>();
            if (refused.Count > 0)
                scopeErrors.Add(new(nameof(draft.SecretIds), $"You may not change {string.Join(", ", refused.Order(StringComparer.Ordinal))}, so a token of yours cannot carry {(refused.Count == 1 ? "it" : "them")}."));
            if (missing > 0)
                scopeErrors.Add(new(nameof(draft.SecretIds), missing == 1 ? "One chosen secret does not exist (any more)." : $"{missing} chosen secrets do not exist (any more)."));
            if (scopeErrors.Count > 0) return Result<CreatedAccessToken>.Invalid(scopeErrors);

            var now = clock.GetUtcNow();
            var (token, hash) = AccessTokenFormat.New();
            var accessToken = new AccessToken
            {
                OrganizationId = actor.OrganizationId,
                Purpose = purpose,
                Environment = environment,
                CreatedById = actor.UserId,
                CreatedAt = now,
                ExpiresAt = now.AddDays(draft.ExpiresInDays!.Value),
                AllowedNetworks = formattedNetworks,
                Hash = hash,
                Secrets = secrets.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => new AccessTokenSecret { SecretId = s.Id, Name = s.Name }).ToList(),
            };
            db.AccessTokens.Add(accessToken);
            var names = string.Join(", ", accessToken.Secrets.Select(s => s.Name));
            audit.Record(AuditAction.AccessTokenCreated, AuditActor.Of(actor),
                $"Access token {purpose} ({accessToken.Id}) for {environment}, expires {Stamp(accessToken.ExpiresAt)}; secrets: {names}; " +
                (networks.Count == 0 ? "any network." : $"networks: {string.Join(", ", networks)}."),
                secretName: names);
            await db.SaveChangesAsync();
            return Result<CreatedAccessToken>.Ok(new CreatedAccessToken(accessToken.Id, token, purpose, accessToken.ExpiresAt));
        });
    }

    /// <summary>Administrators see every token of their organization; everyone else the tokens they created.</summary>
    public async Task<IReadOnlyList<AccessTokenListItem>> ListAsync(CurrentUser actor)
    {
        var administers = await authorization.AllowsAsync(actor, OrganizationOperations.Administer);
        var tokens = await db.AccessTokens.AsNoTracking().Include(t => t.Secrets).Include(t => t.CreatedBy)
            .Where(t => t.OrganizationId == actor.OrganizationId && (administers || t.CreatedById == actor.UserId))
            .OrderByDescending(t => t.CreatedAt).ToListAsync();
        var ids = tokens.SelectMany(t => t.Secrets.Select(s => s.SecretId)).Distinct().ToList();
        var currentNames = (await db.Secrets.AsNoTracking().WithIds(ids).Select(s => new { s.Id, s.Name, s.OrganizationId }).ToListAsync())
            .InOrganization(actor.OrganizationId, s => s.OrganizationId).ToDictionary(s => s.Id, s => s.Name);
        var now = clock.GetUtcNow();
        var items = new List<AccessTokenListItem>(tokens.Count);
        foreach (var t in tokens)
        {
            var status = t.StatusAt(now);
            var names = t.Secrets.Select(s => currentNames.TryGetValue(s.SecretId, out var name) ? name : $"{s.Name} (deleted)").Order(StringComparer.Ordinal).ToList();
            items.Add(new AccessTokenListItem(t.Id, t.Purpose, t.Environment, names, t.CreatedBy!.DisplayName, t.CreatedAt, t.ExpiresAt,
                t.LastUsedAt, t.LastUsedIp, status, t.RevokedAt, t.RevokedByName, t.AllowedNetworks,
                status != AccessTokenStatus.Revoked && await authorization.AllowsAsync(actor, t, ResourceOperations.Delete)));
        }

        return items;
    }

    /// <summary>Revokes the token at once, for every instance (the API reads the token on every call). Revoking twice is not an error.</summary>
    public Task<Result<Guid>> RevokeAsync(CurrentUser actor, Guid id) =>
        db.InTransactionAsync(async () =>
        {
            var token = await db.AccessTokens.FirstOrDefaultAsync(t => t.Id == id && t.OrganizationId == actor.OrganizationId);
            if (token is null || !await authorization.AllowsAsync(actor, token, ResourceOperations.Delete)) return Result<Guid>.NotFound();
            if (token.RevokedAt is not null) return Result<Guid>.Ok(token.Id);
            token.RevokedAt = clock.GetUtcNow();
            token.RevokedById = actor.UserId;
            token.RevokedByName = actor.DisplayName;
            audit.Record(AuditAction.AccessTokenRevoked, AuditActor.Of(actor), $"Access token {token.Purpose} ({token.Id}) revoked.");
            await db.SaveChangesAsync();
            return Result<Guid>.Ok(token.Id);
        });

    /// <summary>
    /// The machine API: the values of the token's secrets (all of them, or the one named), or why not. Checks, in this
    /// order: the token's shape and existence, revocation, expiry, the client's network, then for each secret asked for:
    /// in the scope, still allowed to its creator now (role, status, ownership as stored now), a value in the token's
    /// environment. All or nothing: any refusal returns no value. The call's audit event and the token's last use are
    /// committed by <see cref="TokenCallRecorder"/> before anything is returned, in a write transaction that checks the
    /// token again: a revocation committed while the call was judged wins. When the event cannot be written, the
    /// exception leaves with no value.
    /// </summary>
    public async Task<ApiAnswer> ReadAsync(string token, IPAddress? client, string? name)
    {
        if (!AccessTokenFormat.IsWellFormed(token)) return Invalid();
        // Judged on what is committed now, outside the database's writer: a made-up token costs one indexed read and no
        // write, and judging a real one neither waits for the app's saves nor makes them wait. Only the record of the
        // call is a write, and nothing leaves before it is committed.
        var accessToken = await ByHash.For(db)(db, AccessTokenFormat.HashOf(token)).FirstOrDefaultAsync();
        if (accessToken is null) return Invalid();
        var now = clock.GetUtcNow();
        var (judged, asked) = await JudgeAsync(accessToken, client, name, now);
        var actor = new AuditActor(accessToken.CreatedById, $"Access token {accessToken.Purpose}", accessToken.OrganizationId);
        var what = $"Access token {accessToken.Purpose} ({accessToken.Id}), {accessToken.Environment}, {(name is null ? "all secrets" : "one secret")}";
        return await recorder.RecordAsync(db, new TokenCall(accessToken.Id, actor, what, string.Join(", ", asked), now, client, judged));
    }

    private async Task<(ApiAnswer Answer, IReadOnlyList<string> Asked)> JudgeAsync(AccessToken token, IPAddress? client, string? name, DateTimeOffset now)
    {
        if (token.RevokedAt is { } revokedAt) return (Revoked(revokedAt), []);
        if (now >= token.ExpiresAt)
            return (ApiAnswer.Refusal(401, ApiCodes.TokenExpired, "This token has expired.",
                $"It expired on {Stamp(token.ExpiresAt)}. Ask for a new token."), []);
        if (!AllowedNetworks.Allows(token.AllowedNetworks, client))
            return (ApiAnswer.Refusal(403, ApiCodes.NetworkNotAllowed, "This token may not be used from your network.",
                $"Requests from {client?.ToString() ?? "an unknown address"} are outside the networks this token allows."), []);

        var scope = token.Secrets;
        var stored = (await resolver.StoredByIdAsync(token.OrganizationId, scope.Select(s => s.SecretId).ToList(), token.Environment))
            .ToDictionary(s => s.SecretId);
        // A secret is asked for by its name now; one that no longer exists, by the name it had when the token was made.
        string NameOf(AccessTokenSecret s) => stored.TryGetValue(s.SecretId, out var now) ? now.Name : s.Name;
        var asked = name is null ? scope.OrderBy(NameOf, StringComparer.Ordinal).ToList() : scope.Where(s => NameOf(s) == name).Take(1).ToList();
        if (asked.Count == 0)
        {
            return (ApiAnswer.Refusal(403, ApiCodes.OutOfScope, "This secret is not in the token's scope.",
                $"The token does not carry {Shown(name!)}.", [Shown(name!)]), [Shown(name!)]);
        }

        var askedNames = asked.Select(NameOf).ToList();
        var creator = await Creator.For(db)(db, token.CreatedById, token.OrganizationId);
        List<string> notAllowed = [], notFound = [], noValue = [];
        foreach (var secret in asked)
        {
            if (!stored.TryGetValue(secret.SecretId, out var value)) notFound.Add(secret.Name);
            else if (creator is null || !await authorization.AllowsAsync(creator, value, ResourceOperations.Update)) notAllowed.Add(value.Name);
            else if (value.Value is null) noValue.Add(value.Name);
        }

        if (notAllowed.Count > 0)
            return (ApiAnswer.Refusal(403, ApiCodes.NotAllowed, "The token's creator may no longer read these secrets.",
                $"{creator?.DisplayName ?? "The token's creator"} may not change {string.Join(", ", notAllowed)} any more, so the token no longer returns {(notAllowed.Count == 1 ? "it" : "them")}.",
                notAllowed), askedNames);
        if (notFound.Count > 0)
            return (ApiAnswer.Refusal(404, ApiCodes.NotFound, "Secrets in the token's scope no longer exist.",
                $"No secret {string.Join(", ", notFound)} exists any more.", notFound), askedNames);
        if (noValue.Count > 0)
            return (ApiAnswer.Refusal(404, ApiCodes.NoValue, $"No {token.Environment} value.",
                $"{string.Join(", ", noValue)} {(noValue.Count == 1 ? "has" : "have")} no value in {token.Environment}.", noValue), askedNames);

        var decrypted = resolver.Decrypt(asked.Select(s => stored[s.SecretId]).ToList());
        if (!decrypted.IsOk)
            return (ApiAnswer.Refusal(500, ApiCodes.ServerError, "A value could not be decrypted.",
                string.Join(" ", decrypted.Errors.Select(e => e.Message))), askedNames);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in decrypted.Value!) values[v.Name] = v.Value;
        return (new ApiAnswer(200, null, "OK", "", [], values), askedNames);
    }

    internal static ApiAnswer Revoked(DateTimeOffset revokedAt) => ApiAnswer.Refusal(401, ApiCodes.TokenRevoked, "This token has been revoked.",
        $"It was revoked on {Stamp(revokedAt)}. Ask for a new token.");

    internal static ApiAnswer Invalid() => ApiAnswer.Refusal(401, ApiCodes.TokenInvalid, "This access token is not valid.",
        "The token is malformed or unknown. Check that it was copied whole.");

    // A name asked for is echoed in the refusal; it is bounded so a long path cannot bloat the answer or the audit row.
    private static string Shown(string name) => name.Length > 200 ? name[..200] + "…" : name;

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
