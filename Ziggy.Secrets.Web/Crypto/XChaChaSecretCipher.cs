using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using NSec.Cryptography;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Web.Crypto;

/// <summary>
/// XChaCha20-Poly1305 under the data keys of a <see cref="DataKeyRing"/>, which this cipher owns and disposes.
/// The 24-byte nonce is random per encryption: long enough that random nonces never realistically repeat.
/// </summary>
public sealed class XChaChaSecretCipher(DataKeyRing ring) : ISecretCipher, IDisposable
{
    public const string MeterName = "Ziggy.Secrets";
    public const string DecryptCounterName = "ziggy.secrets.decrypts";

    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Decrypts =
        Meter.CreateCounter<long>(DecryptCounterName, description: "Secret values decrypted (successful or not).");

    private readonly DataKeyRing _ring = ring ?? throw new ArgumentNullException(nameof(ring));
    // "ziggy-secret-value:v1|" + two GUIDs + the longest environment name + an int, with room to spare.
    private const int AssociatedDataMaxBytes = 160;

    private long _decryptCount;

    public long DecryptCount => Interlocked.Read(ref _decryptCount);

    /// <summary>Nothing to follow: this cipher's ring is fixed, its newest key the active one.</summary>
    public Task UseActiveKeyAsync(ZiggyDbContext db) => Task.CompletedTask;

    public int ActiveKeyId => _ring.ActiveKeyId;

    public EncryptedValue Encrypt(string plaintext, ValuePlace place)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(place);

        var keyId = _ring.ActiveKeyId;
        if (!_ring.TryGetKey(keyId, out var key)) throw new InvalidOperationException("The active data key is missing.");

        var nonce = RandomNumberGenerator.GetBytes(Aead.NonceSize);
        var bytes = Encoding.UTF8.GetBytes(plaintext);
        try
        {
            Span<byte> associatedData = stackalloc byte[AssociatedDataMaxBytes];
            return new EncryptedValue(keyId, nonce, Aead.Encrypt(key, nonce, AssociatedData(place, keyId, associatedData), bytes));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public DecryptOutcome Decrypt(EncryptedValue value, ValuePlace place)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(place);

        Interlocked.Increment(ref _decryptCount);
        Decrypts.Add(1);

        if (!_ring.TryGetKey(value.KeyId, out var key))
            return DecryptOutcome.Failure(
                $"The stored {place.Environment} value of secret {place.SecretName} uses data key {value.KeyId}, which this database does not have.");

        // Malformed stored data gets the same answer as a failed authentication instead of an exception.
        if (value.Nonce?.Length != Aead.NonceSize || value.Ciphertext is null || value.Ciphertext.Length < Aead.TagSize)
            return AlteredOrMoved(place);

        var plaintext = new byte[value.Ciphertext.Length - Aead.TagSize];
        Span<byte> associatedData = stackalloc byte[AssociatedDataMaxBytes];
        try
        {
            return Aead.Decrypt(key, value.Nonce, AssociatedData(place, value.KeyId, associatedData), value.Ciphertext, plaintext)
                ? DecryptOutcome.Success(Encoding.UTF8.GetString(plaintext))
                : AlteredOrMoved(place);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public byte[] Fingerprint(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var bytes = Encoding.UTF8.GetBytes(plaintext);
        try
        {
            return HMACSHA256.HashData(_ring.FingerprintKey, bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public void Dispose() => _ring.Dispose();

    private static DecryptOutcome AlteredOrMoved(ValuePlace place) => DecryptOutcome.Failure(
        $"The stored {place.Environment} value of secret {place.SecretName} cannot be decrypted: " +
        "it was altered or moved from another secret, environment or organization.");

    // Binds a ciphertext to its place: decrypting it under any other organization, secret, environment or key id fails.
    // Written as UTF-8 straight into the caller's buffer (no string, no array: it is made for every decrypt of a run).
    private static ReadOnlySpan<byte> AssociatedData(ValuePlace place, int keyId, Span<byte> buffer)
    {
        if (!Utf8.TryWrite(buffer, CultureInfo.InvariantCulture,
                $"ziggy-secret-value:v1|{place.OrganizationId:D}|{place.SecretId:D}|{place.Environment}|{keyId}", out var written))
            throw new InvalidOperationException("The associated data does not fit its buffer.");
        return buffer[..written];
    }
}
