using Ziggy.Secrets.Web.Accounts;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>
/// One state of an environment's value in its history, numbered from 1 per secret and environment: a value as it was
/// written (its ciphertext kept byte for byte, with the mask and fingerprint computed then), or its removal. The newest
/// version is the current value. A restore copies a version's ciphertext as it is: the associated data binds
/// organization, secret, environment and data key, never a version, so the copy decrypts in its new place.
/// </summary>
public sealed class SecretValueVersion
{
    public long Id { get; init; }

    public Guid SecretId { get; init; }

    public SecretEnvironment Environment { get; init; }

    public int Number { get; init; }

    public DateTimeOffset WrittenAt { get; init; }

    public Guid WrittenById { get; init; }

    public ApplicationUser? WrittenBy { get; init; }

    /// <summary>True when this version is the removal of the value: then there is no ciphertext, mask or fingerprint.</summary>
    public bool Removed { get; init; }

    /// <summary>The version this one restored, if it was made by a restore.</summary>
    public int? RestoredFrom { get; init; }

    public int? KeyId { get; set; }

    public byte[]? Nonce { get; set; }

    public byte[]? Ciphertext { get; set; }

    public string? Mask { get; init; }

    public byte[]? Fingerprint { get; set; }

    public EncryptedValue? ToEncrypted() => Removed || KeyId is null || Nonce is null || Ciphertext is null ? null : new(KeyId.Value, Nonce, Ciphertext);
}
