using NSec.Cryptography;

namespace Ziggy.Secrets.Web.Crypto;

/// <summary>
/// The 32-byte key that wraps the data keys. Its bytes never leave this object: it is imported without an export
/// policy, and only <see cref="DataKeyRing"/> uses it, through the two internal methods below.
/// </summary>
public sealed class MasterKey : IDisposable
{
    public const int Size = 32;

    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;

    private readonly Key _key;

    private MasterKey(Key key, byte[] dataProtectionKey)
    {
        _key = key;
        DataProtectionKey = dataProtectionKey;
    }

    /// <summary>
    /// A separate key, derived with HKDF-SHA256 for one purpose only: encrypting the ASP.NET Core Data Protection keys
    /// (which sign the auth cookies) at rest. A copy of the data folder without the master key cannot forge a session.
    /// </summary>
    internal byte[] DataProtectionKey { get; }

    /// <summary>Imports exactly <see cref="Size"/> bytes. The caller should clear its copy afterwards.</summary>
    public static MasterKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
            throw new ArgumentException($"A master key must be exactly {Size} bytes (got {bytes.Length}).", nameof(bytes));
        var dataProtectionKey = System.Security.Cryptography.HKDF.DeriveKey(
            System.Security.Cryptography.HashAlgorithmName.SHA256, bytes.ToArray(), 32, info: "ziggy:data-protection-keys:v1"u8.ToArray());
        return new MasterKey(Key.Import(Aead, bytes, KeyBlobFormat.RawSymmetricKey), dataProtectionKey);
    }

    internal byte[] Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext) =>
        Aead.Encrypt(_key, nonce, associatedData, plaintext);

    internal bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext) =>
        Aead.Decrypt(_key, nonce, associatedData, ciphertext, plaintext);

    public void Dispose()
    {
        _key.Dispose();
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(DataProtectionKey);
    }
}
