using Ziggy.Secrets.Web.Crypto;
using static Ziggy.Secrets.Tests.Unit.Crypto.CryptoTestKit;

namespace Ziggy.Secrets.Tests.Unit.Crypto;

public sealed class DataKeyRingTests : IDisposable
{
    private readonly MasterKey _master = NewMasterKey();

    public void Dispose() => _master.Dispose();

    [Fact]
    public void CreateWrapped_NewKey_HoldsIdNonceAndWrappedBytes()
    {
        var first = DataKeyRing.CreateWrapped(_master, 3, Now);
        var second = DataKeyRing.CreateWrapped(_master, 3, Now);

        Assert.Equal(3, first.Id);
        Assert.Equal(Now, first.CreatedAt);
        Assert.Equal(24, first.Nonce.Length);
        Assert.Equal(32 + 16, first.WrappedKey.Length);
        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.NotEqual(first.WrappedKey, second.WrappedKey);
    }

    [Fact]
    public void Open_TwoKeys_OldValuesStillDecryptAndNewValuesUseNewestKey()
    {
        var key1 = DataKeyRing.CreateWrapped(_master, 1, Now);
        var place = NewPlace();
        EncryptedValue old;
        using (var before = OpenCipher(_master, key1)) old = before.Encrypt("old value", place);
        var key2 = DataKeyRing.CreateWrapped(_master, 2, Now.AddDays(90));

        using var open = DataKeyRing.Open(_master, [key2, key1]).Ring!;
        using var cipher = new XChaChaSecretCipher(open);

        Assert.Equal(1, old.KeyId);
        Assert.Equal(2, open.ActiveKeyId);
        Assert.True(open.Contains(1));
        Assert.False(open.Contains(3));
        Assert.Equal("old value", cipher.Decrypt(old, place).Plaintext);
        var fresh = cipher.Encrypt("new value", place);
        Assert.Equal(2, fresh.KeyId);
        Assert.Equal("new value", cipher.Decrypt(fresh, place).Plaintext);
    }

    [Fact]
    public void Decrypt_ValueRelabelledWithAnotherKeyId_FailsAsAltered()
    {
        using var cipher = OpenCipher(_master, DataKeyRing.CreateWrapped(_master, 1, Now), DataKeyRing.CreateWrapped(_master, 2, Now));
        var place = NewPlace();
        var value = cipher.Encrypt("sk_live_51HxYz", place);

        var outcome = cipher.Decrypt(value with { KeyId = 1 }, place);

        Assert.Equal(AlteredMessage(place), outcome.Error);
    }

    [Fact]
    public void Open_DifferentMasterKey_FailsWithMismatchMessage()
    {
        var stored = DataKeyRing.CreateWrapped(_master, 1, Now);
        using var otherMaster = NewMasterKey();

        var open = DataKeyRing.Open(otherMaster, [stored]);

        Assert.False(open.Succeeded);
        Assert.Null(open.Ring);
        Assert.Equal("The master key does not match this database.", open.Error);
    }

    [Fact]
    public void Open_OneKeyFromAnotherMasterKey_FailsWithMismatchMessage()
    {
        using var otherMaster = NewMasterKey();

        var open = DataKeyRing.Open(_master, [DataKeyRing.CreateWrapped(_master, 1, Now), DataKeyRing.CreateWrapped(otherMaster, 2, Now)]);

        Assert.Equal("The master key does not match this database.", open.Error);
    }

    [Fact]
    public void Open_WrappedKeyStoredUnderAnotherId_FailsWithMismatchMessage()
    {
        var moved = DataKeyRing.CreateWrapped(_master, 1, Now) with { Id = 2 };

        var open = DataKeyRing.Open(_master, [moved]);

        Assert.Equal("The master key does not match this database.", open.Error);
    }

    [Fact]
    public void Open_NoKeys_Fails()
    {
        var open = DataKeyRing.Open(_master, []);

        Assert.False(open.Succeeded);
        Assert.Contains("no data key", open.Error);
    }

    // A value stored by format v1 must decrypt forever. The vector was made from the documented associated-data
    // strings with NSec directly: master key 00..1f, data key 7 = 40..5f wrapped with nonce 80..97, value nonce a0..b7.
    [Fact]
    public void Decrypt_StoredV1Vector_ReturnsPlaintext()
    {
        using var master = MasterKey.FromBytes(Bytes(0x00, 32));
        var stored = new WrappedDataKey(7, Bytes(0x80, 24), Convert.FromHexString(WrappedKeyHex), Now);
        using var cipher = OpenCipher(master, stored);
        var place = new ValuePlace(
            Guid.Parse("11111111-2222-3333-4444-555555555555"), Guid.Parse("66666666-7777-8888-9999-aaaaaaaaaaaa"), "GOLDEN", SecretEnvironment.Production);

        var outcome = cipher.Decrypt(new EncryptedValue(7, Bytes(0xA0, 24), Convert.FromHexString(CiphertextHex)), place);

        Assert.Equal("golden v1 пароль🔑", outcome.Plaintext);
    }

    private const string WrappedKeyHex = "02AF1B1AA3D1052D545169B003F0569E29C00E82D7AEECAEB8333081EB8F422E9F0A31BF1D0F548E21959EEF6CD86C64";
    private const string CiphertextHex = "0CB57D9C188CF73D1B3A47DBBCB27173DD08055188C7CB44809EDFBAEAE80E346C9956B228920D52EDAC";

    private static byte[] Bytes(int first, int count) => Enumerable.Range(first, count).Select(i => (byte)i).ToArray();
}
