using System.Runtime.InteropServices;

namespace Ziggy.Secrets.Web.Client;

/// <summary>
/// Passes SIGINT, SIGTERM, SIGHUP and SIGQUIT received by <c>run</c> on to the command it started, so a supervisor
/// (systemd, a container runtime, a CI runner) that stops <c>run</c> stops the command the way it expects.
/// </summary>
/// <remarks>
/// .NET catches signals (<see cref="PosixSignalRegistration"/>) but can only send SIGKILL to another process
/// (<see cref="System.Diagnostics.Process.Kill()"/>), which would give the command no chance to shut down cleanly: sending
/// the very signal that arrived needs libc's kill(2).
/// A Ctrl-C typed in a terminal reaches the command twice (the terminal signals the whole foreground process group, and
/// run passes it on): .NET cannot start the command in a process group of its own, and a signal sent to run alone (by a
/// supervisor or `kill`) must not be lost.
/// </remarks>
public sealed class ChildSignals : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly Lock _lock = new();
    private readonly List<int> _pending = [];
    private int? _child;

    public ChildSignals()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD()) return;
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            _registrations.Add(PosixSignalRegistration.Create(signal, Forward));
    }

    /// <summary>From now on signals go to <paramref name="processId"/>, starting with any that arrived before it started.</summary>
    public void Attach(int processId)
    {
        lock (_lock)
        {
            _child = processId;
            foreach (var signal in _pending) _ = Kill(processId, signal);
            _pending.Clear();
        }
    }

    private void Forward(PosixSignalContext context)
    {
        // run itself stays alive: it ends when the command does, with the command's exit code.
        context.Cancel = true;
        var number = Number(context.Signal);
        lock (_lock)
        {
            if (_child is { } child) _ = Kill(child, number);
            else _pending.Add(number);
        }
    }

    /// <summary>The signal numbers of Linux, macOS and the BSDs, which agree on these four.</summary>
    private static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGTERM => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };

    // DllImport rather than LibraryImport: with two int arguments it needs no marshalling, and LibraryImport would
    // require unsafe code in the whole project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int processId, int signal);

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }
}
