using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using Ziggy.Secrets.Web.Crypto;
using static Ziggy.Secrets.Tests.Unit.Crypto.CryptoTestKit;

namespace Ziggy.Secrets.Tests.Unit.Crypto;

public sealed class MasterKeyProviderTests : IDisposable
{
    private readonly string _dataFolder = Directory.CreateTempSubdirectory("ziggy-crypto-").FullName;
    private readonly CapturingLogger _logger = new();

    private string DefaultKeyPath => Path.Combine(_dataFolder, "master.key");

    public void Dispose() => Directory.Delete(_dataFolder, recursive: true);

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Load_NothingConfigured_CreatesOwnerOnlyKeyFileAndWarns()
    {
        var load = MasterKeyProvider.Load(null, null, _dataFolder, _logger);

        Assert.True(load.Succeeded, load.Error);
        load.Key.Dispose();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DefaultKeyPath));
        var line = File.ReadAllText(DefaultKeyPath);
        Assert.EndsWith("\n", line);
        Assert.Equal(32, Convert.FromBase64String(line.Trim()).Length);
        var warning = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(
            $"Created a new master key at {DefaultKeyPath}. In production keep the master key outside the data folder " +
            "(ZIGGY_MASTER_KEY or ZIGGY_MASTER_KEY_FILE) so a copy of the data folder alone cannot decrypt anything.",
            warning.Message);
    }

    [Fact]
    public void Load_SameDataFolderTwice_ReturnsSameKeyWithoutSecondWarning()
    {
        var place = NewPlace();
        WrappedDataKey stored;
        EncryptedValue value;
        using (var first = MasterKeyProvider.Load(null, null, _dataFolder, _logger).Key!)
        {
            stored = DataKeyRing.CreateWrapped(first, 1, Now);
            using var cipher = OpenCipher(first, stored);
            value = cipher.Encrypt("survives a restart", place);
        }

        using var second = MasterKeyProvider.Load(null, null, _dataFolder, _logger).Key!;
        using var reopened = OpenCipher(second, stored);

        Assert.Equal("survives a restart", reopened.Decrypt(value, place).Plaintext);
        Assert.Single(_logger.Entries);
    }

    [Fact]
    public void Load_Base64Value_UsesItAndCreatesNoFile()
    {
        var base64 = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        using var fromValue = MasterKeyProvider.Load(base64, Path.Combine(_dataFolder, "ignored.key"), _dataFolder, _logger).Key!;
        var keyFile = Path.Combine(_dataFolder, "elsewhere.key");
        File.WriteAllText(keyFile, $"  {base64}\n\n");
        using var fromFile = MasterKeyProvider.Load(null, keyFile, _dataFolder, _logger).Key!;

        var open = DataKeyRing.Open(fromFile, [DataKeyRing.CreateWrapped(fromValue, 1, Now)]);

        Assert.True(open.Succeeded, open.Error);
        open.Ring.Dispose();
        Assert.False(File.Exists(DefaultKeyPath));
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Load_Base64OfWrongLength_FailsWithoutKeyText()
    {
        var base64 = Convert.ToBase64String(Enumerable.Range(100, 16).Select(i => (byte)i).ToArray());

        var load = MasterKeyProvider.Load(base64, null, _dataFolder, _logger);

        Assert.False(load.Succeeded);
        Assert.Equal("ZIGGY_MASTER_KEY must decode to exactly 32 bytes (it decodes to 16).", load.Error);
        Assert.DoesNotContain(base64, load.Error);
        Assert.False(File.Exists(DefaultKeyPath));
    }

    [Fact]
    public void Load_InvalidBase64_FailsWithoutKeyText()
    {
        const string notBase64 = "s3cr3t-master-key!!";

        var load = MasterKeyProvider.Load(notBase64, null, _dataFolder, _logger);

        Assert.Equal("ZIGGY_MASTER_KEY is not valid base64.", load.Error);
        Assert.DoesNotContain(notBase64, load.Error);
    }

    [Fact]
    public void Load_MissingKeyFile_FailsAndDoesNotCreateIt()
    {
        var keyFile = Path.Combine(_dataFolder, "missing.key");

        var load = MasterKeyProvider.Load(null, keyFile, _dataFolder, _logger);

        Assert.False(load.Succeeded);
        Assert.StartsWith($"The master key file '{keyFile}' cannot be read: ", load.Error);
        Assert.False(File.Exists(keyFile));
        Assert.False(File.Exists(DefaultKeyPath));
    }

    [Theory]
    [InlineData("AAECAwQFBgcICQoLDA0ODw==")]
    [InlineData("not base64 at all")]
    [InlineData("")]
    public void Load_KeyFileWithoutA32ByteKey_FailsWithoutKeyText(string content)
    {
        var keyFile = Path.Combine(_dataFolder, "bad.key");
        File.WriteAllText(keyFile, content);

        var load = MasterKeyProvider.Load(null, keyFile, _dataFolder, _logger);

        Assert.Equal($"The master key file '{keyFile}' must hold 32 bytes as base64 (one line).", load.Error);
        if (content.Length > 0) Assert.DoesNotContain(content, load.Error);
    }

    [Fact]
    public void Load_DefaultKeyFileDamaged_FailsInsteadOfReplacingIt()
    {
        File.WriteAllText(DefaultKeyPath, "AAECAwQFBgcICQoLDA0ODw==");

        var load = MasterKeyProvider.Load(null, null, _dataFolder, _logger);

        Assert.Equal($"The master key file '{DefaultKeyPath}' must hold 32 bytes as base64 (one line).", load.Error);
        Assert.Equal("AAECAwQFBgcICQoLDA0ODw==", File.ReadAllText(DefaultKeyPath));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(33)]
    public void FromBytes_WrongLength_ThrowsClearMessage(int length)
    {
        var error = Assert.Throws<ArgumentException>(() => MasterKey.FromBytes(new byte[length]));

        Assert.StartsWith($"A master key must be exactly 32 bytes (got {length}).", error.Message);
    }
}
