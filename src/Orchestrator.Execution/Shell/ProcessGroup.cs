using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Orchestrator.Execution.Shell;

/// <summary>Signals a whole process group. A shell started through <c>setsid</c> leads its own group, so
/// killing the group also reaches children it backgrounded, even after they were re-parented to init.</summary>
public static partial class ProcessGroup
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    /// <summary>SIGTERM to the group, a grace period, then SIGKILL to the group and the tree .NET can see.</summary>
    internal static async Task KillAsync(Process process, TimeSpan grace)
    {
        int pid;
        try
        {
            pid = process.Id;
        }
        catch (InvalidOperationException)
        {
            return; // never started
        }

        Signal(pid, SigTerm);
        using var graceOver = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(graceOver.Token);
        }
        catch (OperationCanceledException)
        {
            // still running after the grace period
        }

        // The leader may be gone while backgrounded members live on: always finish with SIGKILL to the group.
        Signal(pid, SigKill);
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    private static void Signal(int groupLeader, int signal)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = Kill(-groupLeader, signal); // ESRCH when the group is already gone is fine
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
