using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Unit.Crypto;

public sealed class ValueFingerprintTests
{
    [Fact]
    public void Fingerprint_EqualValues_AreEqual_OtherValuesDiffer()
    {
        var master = CryptoTestKit.NewMasterKey();
        using var cipher = CryptoTestKit.OpenCipher(master, DataKeyRing.CreateWrapped(master, 1, CryptoTestKit.Now));

        Assert.Equal(cipher.Fingerprint("sk_live_abcdef123456"), cipher.Fingerprint("sk_live_abcdef123456"));
        Assert.NotEqual(cipher.Fingerprint("sk_live_abcdef123456"), cipher.Fingerprint("sk_live_abcdef123457"));
        Assert.NotEqual(cipher.Fingerprint("value"), cipher.Fingerprint("value "));
        Assert.Equal(32, cipher.Fingerprint("value").Length);
    }

    [Fact]
    public void Fingerprint_AfterDataKeyRotationAndMasterKeyChange_StaysTheSame()
    {
        var master = CryptoTestKit.NewMasterKey();
        var first = DataKeyRing.CreateWrapped(master, 1, CryptoTestKit.Now);
        byte[] before;
        using (var cipher = CryptoTestKit.OpenCipher(master, first)) before = cipher.Fingerprint("db-password-123");

        // rotate-key: a second data key becomes active; rotate-key --master: every key is re-wrapped under a new master key.
        var second = DataKeyRing.CreateWrapped(master, 2, CryptoTestKit.Now);
        using var newMaster = CryptoTestKit.NewMasterKey();
        var rewrapped = DataKeyRing.Rewrap(master, newMaster, [second, first])!;
        using var rotated = CryptoTestKit.OpenCipher(newMaster, [.. rewrapped]);

        Assert.Equal(before, rotated.Fingerprint("db-password-123"));
    }

    [Fact]
    public void Fingerprint_AnotherDatabase_GivesAnotherFingerprint()
    {
        var master = CryptoTestKit.NewMasterKey();
        using var one = CryptoTestKit.OpenCipher(master, DataKeyRing.CreateWrapped(master, 1, CryptoTestKit.Now));
        using var other = CryptoTestKit.OpenCipher(master, DataKeyRing.CreateWrapped(master, 1, CryptoTestKit.Now));

        Assert.NotEqual(one.Fingerprint("db-password-123"), other.Fingerprint("db-password-123"));
    }

    [Fact]
    public void Short_TwelveHexDigitsInGroups_NullWithoutFingerprint()
    {
        Assert.Equal("0001 0203 0405", ValueFingerprint.Short([0, 1, 2, 3, 4, 5, 6, 7]));
        Assert.Null(ValueFingerprint.Short(null));
    }

    [Fact]
    public void SameValueStatements_GroupEqualFingerprints_IgnoreMissingOnes()
    {
        byte[] a = [1, 2, 3], b = [4, 5, 6];
        Assert.Equal(["Staging and Production have the same value."], ValueFingerprint.SameValueStatements(new Dictionary<SecretEnvironment, byte[]?>
        {
            [SecretEnvironment.Development] = b, [SecretEnvironment.Staging] = [.. a], [SecretEnvironment.Production] = a,
        }));
        Assert.Equal(["Development, Staging and Production all have the same value."], ValueFingerprint.SameValueStatements(new Dictionary<SecretEnvironment, byte[]?>
        {
            [SecretEnvironment.Development] = a, [SecretEnvironment.Staging] = a, [SecretEnvironment.Production] = a,
        }));
        Assert.Empty(ValueFingerprint.SameValueStatements(new Dictionary<SecretEnvironment, byte[]?>
        {
            [SecretEnvironment.Development] = null, [SecretEnvironment.Staging] = null, [SecretEnvironment.Production] = a,
        }));
    }
}
