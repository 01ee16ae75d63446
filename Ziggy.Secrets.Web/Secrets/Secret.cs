using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>A named secret of one organization, with up to three independently encrypted environment values.</summary>
public sealed class Secret : IOwnedResource
{
    public Guid Id { get; init; } = Guid.NewGuid();

    public Guid OrganizationId { get; init; }

    public required string Name { get; set; }

    public string Description { get; set; } = "";

    public Guid OwnerId { get; set; }

    public ApplicationUser? Owner { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public Guid CreatedById { get; init; }

    public ApplicationUser? CreatedBy { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public Guid UpdatedById { get; set; }

    public ApplicationUser? UpdatedBy { get; set; }

    /// <summary>Bumped on every change; a save that names an older version is refused (no lost updates).</summary>
    public int Version { get; set; } = 1;

    public List<SecretValue> Values { get; init; } = [];

    // Which environments have a value, kept beside the secret so the grid lists 10,000 secrets from one table.
    public bool HasDevelopment { get; private set; }

    public bool HasStaging { get; private set; }

    public bool HasProduction { get; private set; }

    public SecretValue? ValueFor(SecretEnvironment environment) => Values.FirstOrDefault(v => v.Environment == environment);

    /// <summary>Brings the Has* flags in line with <see cref="Values"/> after a value was set or removed.</summary>
    public void RefreshPresence()
    {
        HasDevelopment = ValueFor(SecretEnvironment.Development) is not null;
        HasStaging = ValueFor(SecretEnvironment.Staging) is not null;
        HasProduction = ValueFor(SecretEnvironment.Production) is not null;
    }
}

/// <summary>
/// One environment's value: the ciphertext with its nonce and data key id, and the mask computed when it was written
/// so that showing a secret never needs to decrypt anything.
/// </summary>
public sealed class SecretValue
{
    public Guid SecretId { get; init; }

    public SecretEnvironment Environment { get; init; }

    public int KeyId { get; set; }

    public required byte[] Nonce { get; set; }

    public required byte[] Ciphertext { get; set; }

    public required string Mask { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public EncryptedValue ToEncrypted() => new(KeyId, Nonce, Ciphertext);
}
