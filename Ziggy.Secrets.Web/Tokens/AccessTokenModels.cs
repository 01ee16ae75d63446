using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Tokens;

/// <summary>What a member asks for when creating a token, as typed (the service validates every part).</summary>
public sealed record AccessTokenDraft(string? Purpose, string? Environment, IReadOnlyList<Guid> SecretIds, int? ExpiresInDays, string? Networks);

/// <summary>A token just created: the only time its value exists outside the caller's hands.</summary>
public sealed record CreatedAccessToken(Guid Id, string Token, string Purpose, DateTimeOffset ExpiresAt);

/// <summary>A secret the member may put in a token (one they may change).</summary>
public sealed record PickableSecret(Guid Id, string Name, string Description);

public sealed record AccessTokenListItem(
    Guid Id, string Purpose, SecretEnvironment Environment, IReadOnlyList<string> Secrets, string CreatedBy,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt, string? LastUsedIp,
    AccessTokenStatus Status, DateTimeOffset? RevokedAt, string? RevokedBy, string AllowedNetworks, bool MayRevoke);

/// <summary>The stable codes of the machine API's refusals, which clients branch on.</summary>
public static class ApiCodes
{
    public const string TokenMissing = "token_missing";
    public const string TokenInvalid = "token_invalid";
    public const string TokenExpired = "token_expired";
    public const string TokenRevoked = "token_revoked";
    public const string OutOfScope = "out_of_scope";
    public const string NotAllowed = "not_allowed";
    public const string NetworkNotAllowed = "network_not_allowed";
    public const string NoValue = "no_value";
    public const string NotFound = "not_found";
    public const string RateLimited = "rate_limited";
    public const string ServerError = "server_error";
}

/// <summary>The machine API's answer: the values (status 200), or a refusal with its code and the secrets it names.</summary>
public sealed record ApiAnswer(int Status, string? Code, string Title, string Detail, IReadOnlyList<string> Secrets,
    IReadOnlyDictionary<string, string>? Values)
{
    public static ApiAnswer Refusal(int status, string code, string title, string detail, IReadOnlyList<string>? secrets = null) =>
        new(status, code, title, detail, secrets ?? [], null);
}
