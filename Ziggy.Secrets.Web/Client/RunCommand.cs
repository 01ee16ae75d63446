using System.ComponentModel;
using System.Diagnostics;
using Ziggy.Secrets.Web.Operations;

namespace Ziggy.Secrets.Web.Client;

/// <summary>
/// <c>run -- COMMAND [ARGS...]</c>: starts COMMAND (directly, no shell) with the token's secrets added to its
/// environment, passes signals on to it and exits with its exit code. The values live only in this process's memory and
/// the command's environment; nothing is written to disk.
/// </summary>
public static class RunCommand
{
    /// <summary>The shells' codes for a command that cannot be started.</summary>
    public const int CommandNotFound = 127;

    public const int CommandNotExecutable = 126;

    public static async Task<int> RunAsync(ZiggyCommand command, Func<string, string?> environment, TextWriter error)
    {
        var (client, failure) = ClientRequest.Open(command, environment);
        if (failure is not null) return failure.Report(error);

        IReadOnlyDictionary<string, string> values;
        using (client)
        {
            var answer = await client!.GetAllAsync();
            if (answer.Failure is not null) return answer.Failure.Report(error);
            values = answer.Values!;
        }

        var unusable = values.Where(v => v.Key.Length == 0 || v.Key.Contains('=') || v.Key.Contains('\0') || v.Value.Contains('\0')).Select(v => v.Key).ToArray();
        if (unusable.Length > 0)
        {
            return new ClientFailure(ExitCodes.ServerError,
                $"Cannot put {string.Join(", ", unusable.Select(n => $"'{ZiggyApiClient.OneLine(n)}'"))} in an environment (an empty name, '=' or a NUL character); nothing was started.").Report(error);
        }

        var start = new ProcessStartInfo(command.Arguments[0]) { UseShellExecute = false };
        foreach (var argument in command.Arguments.Skip(1)) start.ArgumentList.Add(argument);
        // The command gets the values, not the means to fetch them again.
        start.Environment.Remove("ZIGGY_TOKEN");
        var keepExisting = command.Flag("--keep-existing");
        foreach (var (name, value) in values)
        {
            if (keepExisting && start.Environment.ContainsKey(name)) continue;
            start.Environment[name] = value;
        }

        using var signals = new ChildSignals();
        Process child;
        try
        {
            child = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            var notFound = e.NativeErrorCode == 2; // ENOENT
            return new ClientFailure(notFound ? CommandNotFound : CommandNotExecutable,
                $"Cannot start '{ZiggyApiClient.OneLine(command.Arguments[0])}': {(notFound ? "no such command" : ZiggyApiClient.OneLine(e.Message))}.").Report(error);
        }

        using (child)
        {
            signals.Attach(child.Id);
            await child.WaitForExitAsync();
            // On Unix a command that died of a signal has exit code 128 + the signal's number, as in a shell.
            return child.ExitCode;
        }
    }
}
