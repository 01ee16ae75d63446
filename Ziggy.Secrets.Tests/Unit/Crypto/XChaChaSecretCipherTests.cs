using System.Diagnostics.Metrics;
using System.Text;
using Ziggy.Secrets.Web.Crypto;
using static Ziggy.Secrets.Tests.Unit.Crypto.CryptoTestKit;

namespace Ziggy.Secrets.Tests.Unit.Crypto;

public sealed class XChaChaSecretCipherTests : IDisposable
{
    private readonly MasterKey _master = NewMasterKey();
    private readonly XChaChaSecretCipher _cipher;
    private readonly ValuePlace _place = NewPlace();

    public XChaChaSecretCipherTests() => _cipher = OpenCipher(_master, DataKeyRing.CreateWrapped(_master, 1, Now));

    public void Dispose()
    {
        _cipher.Dispose();
        _master.Dispose();
    }

    [Theory]
    [InlineData("sk_live_51HxYz")]
    [InlineData("пароль🔑")]
    [InlineData("")]
    public void Decrypt_ValueItEncrypted_ReturnsPlaintext(string plaintext)
    {
        var outcome = _cipher.Decrypt(_cipher.Encrypt(plaintext, _place), _place);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(plaintext, outcome.Plaintext);
        Assert.Null(outcome.Error);
    }

    [Fact]
    public void Decrypt_64KiBValue_ReturnsPlaintext()
    {
        var plaintext = string.Concat(Enumerable.Range(0, 64 * 1024).Select(i => (char)('a' + i % 26)));

        var outcome = _cipher.Decrypt(_cipher.Encrypt(plaintext, _place), _place);

        Assert.Equal(plaintext, outcome.Plaintext);
    }

    [Fact]
    public void Encrypt_SamePlaintextTwice_UsesFresh24ByteNonces()
    {
        var first = _cipher.Encrypt("same value", _place);
        var second = _cipher.Encrypt("same value", _place);

        Assert.Equal(24, first.Nonce.Length);
        Assert.Equal(24, second.Nonce.Length);
        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
    }

    [Fact]
    public void Encrypt_Canary_CiphertextHoldsNoPlaintextBytes()
    {
        const string canary = "CANARY-ziggy-7f3a9c-CANARY";
        var canaryBytes = Encoding.UTF8.GetBytes(canary);

        var value = _cipher.Encrypt(canary, _place);

        Assert.Equal(canaryBytes.Length + 16, value.Ciphertext.Length);
        Assert.Equal(-1, value.Ciphertext.AsSpan().IndexOf(canaryBytes));
        Assert.Equal(-1, value.Ciphertext.AsSpan().IndexOf(canaryBytes.AsSpan(0, 8)));
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("nonce")]
    [InlineData("tag")]
    public void Decrypt_OneBitFlipped_FailsAsAlteredAndCounts(string part)
    {
        var value = _cipher.Encrypt("sk_live_51HxYz", _place);
        var nonce = value.Nonce.ToArray();
        var ciphertext = value.Ciphertext.ToArray();
        switch (part)
        {
            case "ciphertext": ciphertext[0] ^= 0x01; break;
            case "nonce": nonce[23] ^= 0x80; break;
            case "tag": ciphertext[^1] ^= 0x01; break;
        }

        var outcome = _cipher.Decrypt(value with { Nonce = nonce, Ciphertext = ciphertext }, _place);

        Assert.False(outcome.Succeeded);
        Assert.Null(outcome.Plaintext);
        Assert.Equal(AlteredMessage(_place), outcome.Error);
        Assert.Contains("STRIPE_API_KEY", outcome.Error);
        Assert.Contains("Production", outcome.Error);
        Assert.Equal(1, _cipher.DecryptCount);
    }

    [Theory]
    [InlineData(0, 32)]
    [InlineData(12, 32)]
    [InlineData(25, 32)]
    [InlineData(24, 15)]
    [InlineData(24, 0)]
    public void Decrypt_MalformedNonceOrCiphertext_FailsAsAltered(int nonceLength, int ciphertextLength)
    {
        var value = new EncryptedValue(1, new byte[nonceLength], new byte[ciphertextLength]);

        var outcome = _cipher.Decrypt(value, _place);

        Assert.Equal(AlteredMessage(_place), outcome.Error);
    }

    [Theory]
    [InlineData("secret")]
    [InlineData("environment")]
    [InlineData("organization")]
    public void Decrypt_ValueMovedToAnotherPlace_FailsAsAltered(string moved)
    {
        var value = _cipher.Encrypt("sk_live_51HxYz", _place);
        var elsewhere = moved switch
        {
            "secret" => _place with { SecretId = Guid.NewGuid() },
            "environment" => _place with { Environment = SecretEnvironment.Staging },
            _ => _place with { OrganizationId = Guid.NewGuid() },
        };

        var outcome = _cipher.Decrypt(value, elsewhere);

        Assert.False(outcome.Succeeded);
        Assert.Equal(AlteredMessage(elsewhere), outcome.Error);
    }

    [Fact]
    public void Decrypt_SecretRenamed_StillDecrypts()
    {
        var value = _cipher.Encrypt("sk_live_51HxYz", _place);

        var outcome = _cipher.Decrypt(value, _place with { SecretName = "STRIPE_SECRET" });

        Assert.Equal("sk_live_51HxYz", outcome.Plaintext);
    }

    [Fact]
    public void Decrypt_UnknownKeyId_FailsNamingTheKey()
    {
        var value = _cipher.Encrypt("sk_live_51HxYz", _place) with { KeyId = 9 };

        var outcome = _cipher.Decrypt(value, _place);

        Assert.False(outcome.Succeeded);
        Assert.Equal("The stored Production value of secret STRIPE_API_KEY uses data key 9, which this database does not have.", outcome.Error);
    }

    [Fact]
    public void DecryptCount_EncryptAndDecrypt_CountsOnlyDecrypts()
    {
        Assert.Equal(0, _cipher.DecryptCount);

        var value = _cipher.Encrypt("sk_live_51HxYz", _place);
        _cipher.Encrypt("another", _place);
        Assert.Equal(0, _cipher.DecryptCount);

        _cipher.Decrypt(value, _place);
        Assert.Equal(1, _cipher.DecryptCount);
        _cipher.Decrypt(value, NewPlace());
        Assert.Equal(2, _cipher.DecryptCount);
        _cipher.Decrypt(value with { KeyId = 9 }, _place);
        Assert.Equal(3, _cipher.DecryptCount);
    }

    [Fact]
    public void Decrypt_Always_PublishesDecryptMetric()
    {
        long measured = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Ziggy.Secrets" && instrument.Name == "ziggy.secrets.decrypts") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, amount, _, _) => Interlocked.Add(ref measured, amount));
        listener.Start();
        var value = _cipher.Encrypt("sk_live_51HxYz", _place);

        _cipher.Decrypt(value, _place);
        _cipher.Decrypt(value, NewPlace());

        // Other tests may decrypt in parallel on the same static meter, so this is a lower bound.
        Assert.True(Interlocked.Read(ref measured) >= 2);
    }
}
