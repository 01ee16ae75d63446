using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Authorization;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>A named secret of one organization, with up to three independently encrypted environment values.</summary>
public sealed class Secret : IOwnedResource
{
    /// <remarks>
    /// Time-ordered (UUID version 7: a millisecond timestamp, then 74 random bits), so the rows a bulk import or a busy
    /// organization writes land side by side at the end of every index keyed by secret (the secret's own, its values,
    /// versions and audit events) instead of on a random page of each. Ids are not credentials: every read and write
    /// is authorized on the server.
    /// </remarks>
    public Guid Id { get; init; } = Guid.CreateVersion7();

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

    /// <summary>When the secret was moved to the Trash; null while it is in use. Trashed secrets are invisible to every query but the Trash's.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    public Guid? DeletedById { get; set; }

    public ApplicationUser? DeletedBy { get; set; }

    /// <summary>Bumped on every change; a save that names an older version is refused (no lost updates).</summary>
    public int Version { get; set; } = 1;

    public List<SecretValue> Values { get; init; } = [];

    // Which environments have a value, kept beside the secret so the grid lists 10,000 secrets from one table.
    public bool HasDevelopment { get; private set; }

    public bool HasStaging { get; private set; }

    public bool HasProduction { get; private set; }

    /// <summary>
    /// Whether the Production value equals the Development or Staging value (by fingerprint), kept beside the secret
    /// for the grid's filter and updated by every write of a value (<see cref="UpdateSharedProduction"/>).
    /// </summary>
    public bool ProductionMatchesOther { get; private set; }

    public SecretValue? ValueFor(SecretEnvironment environment) => Values.FirstOrDefault(v => v.Environment == environment);

    /// <summary>Whether <paramref name="environment"/> has a value, by the flags (which need no values loaded).</summary>
    public bool Has(SecretEnvironment environment) => environment switch
    {
        SecretEnvironment.Development => HasDevelopment,
        SecretEnvironment.Staging => HasStaging,
        SecretEnvironment.Production => HasProduction,
        _ => throw new ArgumentOutOfRangeException(nameof(environment), environment, "Not an environment."),
    };

    /// <summary>Sets the flag of <paramref name="environment"/> after its value was stored or removed.</summary>
    public void SetPresence(SecretEnvironment environment, bool present)
    {
        switch (environment)
        {
            case SecretEnvironment.Development: HasDevelopment = present; break;
            case SecretEnvironment.Staging: HasStaging = present; break;
            case SecretEnvironment.Production: HasProduction = present; break;
            default: throw new ArgumentOutOfRangeException(nameof(environment), environment, "Not an environment.");
        }
    }

    /// <summary>Recomputes <see cref="ProductionMatchesOther"/> from the loaded values' fingerprints (a value without one matches nothing).</summary>
    public void UpdateSharedProduction() =>
        ProductionMatchesOther = ValueFor(SecretEnvironment.Production)?.Fingerprint is { } production &&
                                 Values.Any(v => v.Environment != SecretEnvironment.Production && v.Fingerprint is { } other && other.AsSpan().SequenceEqual(production));
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

    /// <summary>The keyed fingerprint of the value (<see cref="ISecretCipher.Fingerprint"/>); null for a value stored before fingerprints existed, until it is rewritten or a rotate-key run computes it.</summary>
    public byte[]? Fingerprint { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public EncryptedValue ToEncrypted() => new(KeyId, Nonce, Ciphertext);
}
