using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Tokens;

/// <summary>
/// A machine's read access to a fixed list of secrets in one environment, on behalf of the member who created it. Only
/// the SHA-256 hash of the token is stored; the token itself is shown once, when it is created.
/// </summary>
/// <remarks>
/// As an <see cref="IOwnedResource"/> its owner is its creator: the creator or an administrator may revoke it
/// (<see cref="ResourceOperations.Delete"/>).
/// </remarks>
public sealed class AccessToken : IOwnedResource
{
    public const int PurposeMaxLength = 100;

    public const int NetworksMaxLength = 2000;

    public Guid Id { get; init; } = Guid.NewGuid();

    public Guid OrganizationId { get; init; }

    public required string Purpose { get; init; }

    public SecretEnvironment Environment { get; init; }

    public Guid CreatedById { get; init; }

    public ApplicationUser? CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; set; }

    public Guid? RevokedById { get; set; }

    public string? RevokedByName { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public string? LastUsedIp { get; set; }

    /// <summary>The allowed client networks in CIDR form, one per line; empty when any address may use the token.</summary>
    public string AllowedNetworks { get; init; } = "";

    public required byte[] Hash { get; init; }

    public List<AccessTokenSecret> Secrets { get; init; } = [];

    Guid IOwnedResource.OwnerId => CreatedById;

    public AccessTokenStatus StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? AccessTokenStatus.Revoked : now >= ExpiresAt ? AccessTokenStatus.Expired : AccessTokenStatus.Active;
}

/// <summary>One secret in a token's scope, by id; the name it had when the token was created names it after it is gone.</summary>
public sealed class AccessTokenSecret
{
    public Guid AccessTokenId { get; init; }

    public Guid SecretId { get; init; }

    public required string Name { get; init; }
}

public enum AccessTokenStatus
{
    Active,
    Expired,
    Revoked,
}
