using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Tests.Unit.Crypto;

internal static class CryptoTestKit
{
    public static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static MasterKey NewMasterKey() => MasterKey.FromBytes(RandomNumberGenerator.GetBytes(MasterKey.Size));

    public static XChaChaSecretCipher OpenCipher(MasterKey master, params WrappedDataKey[] stored)
    {
        var open = DataKeyRing.Open(master, stored);
        Assert.True(open.Succeeded, open.Error);
        return new XChaChaSecretCipher(open.Ring);
    }

    public static ValuePlace NewPlace(SecretEnvironment environment = SecretEnvironment.Production) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "STRIPE_API_KEY", environment);

    public static string AlteredMessage(ValuePlace place) =>
        $"The stored {place.Environment} value of secret {place.SecretName} cannot be decrypted: " +
        "it was altered or moved from another secret, environment or organization.";
}

internal sealed class CapturingLogger : ILogger
{
    public List<(LogLevel Level, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Add((logLevel, formatter(state, exception)));
}
