namespace Ziggy.Secrets.Web.Crypto;

/// <summary>The database row of a data key: wrapped (encrypted) under the master key, never stored in plaintext.</summary>
public sealed class StoredDataKey
{
    public int Id { get; init; }

    public required byte[] Nonce { get; set; }

    public required byte[] WrappedKey { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public WrappedDataKey ToWrapped() => new(Id, Nonce, WrappedKey, CreatedAt);

    public static StoredDataKey From(WrappedDataKey key) =>
        new() { Id = key.Id, Nonce = key.Nonce, WrappedKey = key.WrappedKey, CreatedAt = key.CreatedAt };
}
