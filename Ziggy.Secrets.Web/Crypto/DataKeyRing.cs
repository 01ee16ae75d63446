using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Ziggy.Secrets.Web.Crypto;

/// <summary>A data key as the database stores it: 32 random bytes encrypted under the master key.</summary>
public sealed record WrappedDataKey(int Id, byte[] Nonce, byte[] WrappedKey, DateTimeOffset CreatedAt);

public sealed record DataKeyRingOpen
{
    private DataKeyRingOpen(DataKeyRing? ring, string? error)
    {
        Ring = ring;
        Error = error;
        Succeeded = ring is not null;
    }

    [MemberNotNullWhen(true, nameof(Ring))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded { get; }

    public DataKeyRing? Ring { get; }

    public string? Error { get; }

    internal static DataKeyRingOpen Opened(DataKeyRing ring) => new(ring, null);

    internal static DataKeyRingOpen Failed(string error) => new(null, error);
}

/// <summary>
/// The unwrapped data keys. New values are encrypted under the active key (the highest id); older keys stay in the
/// ring so values stored under them still decrypt, which lets keys be rotated without rewriting everything at once.
/// </summary>
public sealed class DataKeyRing : IDisposable
{
    public const string MasterKeyMismatch = "The master key does not match this database.";

    private const int KeySize = 32;

    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;

    private static readonly byte[] FingerprintKeyInfo = "ziggy:value-fingerprint:v1"u8.ToArray();

    private readonly Dictionary<int, Key> _keys;

    private DataKeyRing(Dictionary<int, Key> keys, byte[] fingerprintKey)
    {
        _keys = keys;
        ActiveKeyId = keys.Keys.Max();
        FingerprintKey = fingerprintKey;
    }

    /// <summary>
    /// The HMAC key of value fingerprints: HKDF-SHA256 of the database's first data key with a fixed, versioned info
    /// string, held only in memory. The first data key is readable only through the master key, and neither a data-key
    /// rotation (old keys stay in the ring) nor a master-key change (it re-wraps the same key bytes) alters it, so every
    /// stored fingerprint stays comparable with new ones without being recomputed.
    /// </summary>
    internal byte[] FingerprintKey { get; }

    public int ActiveKeyId { get; }

    public bool Contains(int id) => _keys.ContainsKey(id);

    /// <summary>Makes a new random data key wrapped under <paramref name="master"/>, ready to store. Ids start at 1.</summary>
    public static WrappedDataKey CreateWrapped(MasterKey master, int id, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(id);

        Span<byte> dataKey = stackalloc byte[KeySize];
        try
        {
            RandomNumberGenerator.Fill(dataKey);
            var nonce = RandomNumberGenerator.GetBytes(Aead.NonceSize);
            return new WrappedDataKey(id, nonce, master.Encrypt(nonce, AssociatedData(id), dataKey), now);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Unwraps every stored key. Any key that fails to unwrap means the master key is not the one this database was
    /// made with, and the app must not start. The caller stores a first key (<see cref="CreateWrapped"/>) before opening.
    /// </summary>
    public static DataKeyRingOpen Open(MasterKey master, IReadOnlyList<WrappedDataKey> stored)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Count == 0)
            return DataKeyRingOpen.Failed("The database has no data key yet; store one made with DataKeyRing.CreateWrapped first.");

        var keys = new Dictionary<int, Key>();
        var firstId = stored.Min(k => k.Id);
        byte[]? fingerprintKey = null;
        Span<byte> dataKey = stackalloc byte[KeySize];
        try
        {
            foreach (var wrapped in stored)
            {
                if (keys.ContainsKey(wrapped.Id))
                {
                    DisposeAll(keys);
                    return DataKeyRingOpen.Failed($"The database holds data key {wrapped.Id} twice.");
                }

                if (!TryUnwrap(master, wrapped, dataKey))
                {
                    DisposeAll(keys);
                    return DataKeyRingOpen.Failed(MasterKeyMismatch);
                }

                if (wrapped.Id == firstId && fingerprintKey is null)
                {
                    fingerprintKey = new byte[KeySize];
                    HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, fingerprintKey, salt: [], info: FingerprintKeyInfo);
                }

                keys.Add(wrapped.Id, Key.Import(Aead, dataKey, KeyBlobFormat.RawSymmetricKey));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        return DataKeyRingOpen.Opened(new DataKeyRing(keys, fingerprintKey!));
    }

    internal bool TryGetKey(int id, [NotNullWhen(true)] out Key? key) => _keys.TryGetValue(id, out key);

    /// <summary>
    /// The same data keys wrapped under <paramref name="newMaster"/> (for a master key change); null when any of them does
    /// not unwrap under <paramref name="oldMaster"/>. The data keys themselves, and so every ciphertext, stay as they are.
    /// </summary>
    public static IReadOnlyList<WrappedDataKey>? Rewrap(MasterKey oldMaster, MasterKey newMaster, IReadOnlyList<WrappedDataKey> stored)
    {
        var rewrapped = new List<WrappedDataKey>();
        Span<byte> dataKey = stackalloc byte[KeySize];
        try
        {
            foreach (var wrapped in stored)
            {
                if (!TryUnwrap(oldMaster, wrapped, dataKey)) return null;
                var nonce = RandomNumberGenerator.GetBytes(Aead.NonceSize);
                rewrapped.Add(wrapped with { Nonce = nonce, WrappedKey = newMaster.Encrypt(nonce, AssociatedData(wrapped.Id), dataKey) });
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        return rewrapped;
    }

    public void Dispose()
    {
        DisposeAll(_keys);
        CryptographicOperations.ZeroMemory(FingerprintKey);
    }

    private static bool TryUnwrap(MasterKey master, WrappedDataKey wrapped, Span<byte> dataKey) =>
        wrapped.Nonce?.Length == Aead.NonceSize && wrapped.WrappedKey?.Length == KeySize + Aead.TagSize &&
        master.TryDecrypt(wrapped.Nonce, AssociatedData(wrapped.Id), wrapped.WrappedKey, dataKey);

    // Binding the id stops a wrapped key from being swapped into another row.
    private static byte[] AssociatedData(int id) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"ziggy-data-key:v1|{id}"));

    private static void DisposeAll(Dictionary<int, Key> keys)
    {
        foreach (var key in keys.Values) key.Dispose();
        keys.Clear();
    }
}
