using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Ziggy.Secrets.Web.Crypto;

public sealed record MasterKeyLoad
{
    private MasterKeyLoad(MasterKey? key, string? error)
    {
        Key = key;
        Error = error;
        Succeeded = key is not null;
    }

    [MemberNotNullWhen(true, nameof(Key))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded { get; }

    public MasterKey? Key { get; }

    /// <summary>One line for the operator. Never contains key material.</summary>
    public string? Error { get; }

    internal static MasterKeyLoad Loaded(MasterKey key) => new(key, null);

    internal static MasterKeyLoad Failed(string error) => new(null, error);
}

/// <summary>
/// Finds the master key: <c>ZIGGY_MASTER_KEY</c> (base64) if set, else the file named by <c>ZIGGY_MASTER_KEY_FILE</c>
/// (which must exist), else <c>&lt;data&gt;/master.key</c>, created on first run.
/// </summary>
public static class MasterKeyProvider
{
    public const string EnvironmentVariable = "ZIGGY_MASTER_KEY";
    public const string FileEnvironmentVariable = "ZIGGY_MASTER_KEY_FILE";
    public const string DefaultFileName = "master.key";

    public static MasterKeyLoad Load(string? base64FromConfig, string? keyFilePath, string dataFolder, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(dataFolder);
        ArgumentNullException.ThrowIfNull(logger);

        if (!string.IsNullOrWhiteSpace(base64FromConfig)) return FromConfig(base64FromConfig);
        if (!string.IsNullOrWhiteSpace(keyFilePath)) return FromFile(Path.GetFullPath(keyFilePath));

        var defaultPath = Path.GetFullPath(Path.Combine(dataFolder, DefaultFileName));
        return File.Exists(defaultPath) ? FromFile(defaultPath) : Create(defaultPath, logger);
    }

    private static MasterKeyLoad FromConfig(string base64)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            return MasterKeyLoad.Failed($"{EnvironmentVariable} is not valid base64.");
        }

        try
        {
            return bytes.Length == MasterKey.Size
                ? MasterKeyLoad.Loaded(MasterKey.FromBytes(bytes))
                : MasterKeyLoad.Failed($"{EnvironmentVariable} must decode to exactly {MasterKey.Size} bytes (it decodes to {bytes.Length}).");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static MasterKeyLoad FromFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return MasterKeyLoad.Failed($"The master key file '{path}' cannot be read: {e.Message}");
        }

        var malformed = MasterKeyLoad.Failed($"The master key file '{path}' must hold {MasterKey.Size} bytes as base64 (one line).");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            return malformed;
        }

        try
        {
            return bytes.Length == MasterKey.Size ? MasterKeyLoad.Loaded(MasterKey.FromBytes(bytes)) : malformed;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static MasterKeyLoad Create(string path, ILogger logger)
    {
        var bytes = RandomNumberGenerator.GetBytes(MasterKey.Size);
        try
        {
            var error = TryWriteNewFile(path, Convert.ToBase64String(bytes) + "\n");
            if (error is not null) return MasterKeyLoad.Failed($"The master key file '{path}' cannot be created: {error}");

            logger.LogWarning(
                "Created a new master key at {Path}. In production keep the master key outside the data folder " +
                "(ZIGGY_MASTER_KEY or ZIGGY_MASTER_KEY_FILE) so a copy of the data folder alone cannot decrypt anything.",
                path);
            return MasterKeyLoad.Loaded(MasterKey.FromBytes(bytes));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Returns null once the file is written, or why it could not be.</summary>
    private static string? TryWriteNewFile(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        // Owner-only from the moment it exists, so the key is never readable by others, not even briefly.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

        FileStream stream;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            stream = new FileStream(path, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return e.Message;
        }

        try
        {
            using (stream)
            {
                stream.Write(Encoding.ASCII.GetBytes(content));
                // Data keys are wrapped under this key right away: a key lost in a crash would lose every value.
                stream.Flush(flushToDisk: true);
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A half-written file would fail the next start with a misleading message.
            TryDelete(path);
            return e.Message;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: the error about creating the file is what the operator needs.
        }
    }
}
