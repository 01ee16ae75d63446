namespace Ziggy.Secrets.Web.Client;

/// <summary>The exit codes of the client verbs (<c>run</c> passes the command's own code on success).</summary>
public static class ExitCodes
{
    public const int Usage = 2;
    public const int NoToken = 3;
    public const int TokenRefused = 4;
    public const int NotAllowed = 5;
    public const int NotFound = 6;
    public const int Unreachable = 7;
    public const int TlsFailure = 8;
    public const int ServerError = 9;
}

/// <summary>Why a client verb stopped: its exit code and the one line printed (never a token or a value).</summary>
public sealed record ClientFailure(int ExitCode, string Message)
{
    public int Report(TextWriter error)
    {
        error.WriteLine($"{Operations.CommandLine.ExitName}: {Message}");
        return ExitCode;
    }
}
