using System.Diagnostics.CodeAnalysis;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Crypto;

/// <summary>
/// Encrypts and decrypts environment values. Only integration runs and ops tasks (key rotation) may decrypt;
/// <see cref="DecryptCount"/> lets tests prove that listing, opening and saving secrets decrypt nothing.
/// </summary>
public interface ISecretCipher
{
    /// <summary>
    /// Makes <see cref="Encrypt"/> use the data key that <paramref name="db"/> holds as active now (a <c>rotate-key</c> run
    /// in another process may have made a newer one). A write transaction that encrypts calls it first, so the question
    /// is asked inside that transaction, on its connection.
    /// </summary>
    Task UseActiveKeyAsync(ZiggyDbContext db);

    /// <summary>
    /// The id of the data key <see cref="Encrypt"/> uses now, as this process last learned it (no database read); right
    /// after <see cref="UseActiveKeyAsync"/> in a write transaction, the key that transaction sees as active.
    /// </summary>
    int ActiveKeyId { get; }

    /// <summary>Encrypts the UTF-8 of <paramref name="plaintext"/> under the active data key with a fresh random nonce.</summary>
    EncryptedValue Encrypt(string plaintext, ValuePlace place);

    /// <summary>Never throws for bad stored data: a failure comes back as an outcome with a message naming the secret and environment.</summary>
    DecryptOutcome Decrypt(EncryptedValue value, ValuePlace place);

    /// <summary>
    /// The keyed fingerprint of a value (HMAC-SHA-256 under a key only the master key opens): equal values give equal
    /// fingerprints, and without the key nobody can test a guess against one. Decrypts nothing.
    /// </summary>
    byte[] Fingerprint(string plaintext);

    /// <summary>How many times <see cref="Decrypt"/> was called, successful or not.</summary>
    long DecryptCount { get; }
}

/// <summary>What the database stores for one value. <see cref="Ciphertext"/> ends with the 16-byte authentication tag.</summary>
public sealed record EncryptedValue(int KeyId, byte[] Nonce, byte[] Ciphertext);

public sealed record DecryptOutcome
{
    private DecryptOutcome(bool succeeded, string? plaintext, string? error)
    {
        Succeeded = succeeded;
        Plaintext = plaintext;
        Error = error;
    }

    [MemberNotNullWhen(true, nameof(Plaintext))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded { get; }

    public string? Plaintext { get; }

    public string? Error { get; }

    public static DecryptOutcome Success(string plaintext) => new(true, plaintext, null);

    public static DecryptOutcome Failure(string error) => new(false, null, error);
}
