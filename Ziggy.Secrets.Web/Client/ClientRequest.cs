using Ziggy.Secrets.Web.Operations;

namespace Ziggy.Secrets.Web.Client;

/// <summary>What every client verb needs before it sends anything: the server, the token and the time limit.</summary>
public static class ClientRequest
{
    public static (ZiggyApiClient? Client, ClientFailure? Failure) Open(ZiggyCommand command, Func<string, string?> environment)
    {
        var (server, serverFailure) = ServerAddress.Parse(command.Option("--server"), environment);
        if (serverFailure is not null) return (null, serverFailure);
        var (timeout, timeoutFailure) = ZiggyApiClient.ParseTimeout(command.Option("--timeout"), environment);
        if (timeoutFailure is not null) return (null, timeoutFailure);
        var (token, tokenFailure) = ClientToken.Load(command.Option("--token-file"), environment);
        if (tokenFailure is not null) return (null, tokenFailure);
        return (new ZiggyApiClient(server!, token!, timeout), null);
    }

    /// <summary>The process's own environment variables.</summary>
    public static string? ProcessEnvironment(string name) => Environment.GetEnvironmentVariable(name);
}
