using Orchestrator.Core.Model;

namespace Orchestrator.Execution.Shell;

/// <summary>Who "this machine" is when a try's process group is recorded or later stopped.</summary>
public static class LocalMachine
{
    private static readonly Lazy<string> Boot = new(() =>
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    });

    /// <summary>This machine's host name.</summary>
    public static string Host => Environment.MachineName;

    /// <summary>The kernel's id of the current boot; empty where there is none to read (not Linux).</summary>
    public static string BootId => Boot.Value;

    /// <summary>The identity of the process group led by <paramref name="leaderPid"/> as it runs now; null when that
    /// cannot be read (the process already exited, or this is not Linux): then there is nothing to record.</summary>
    public static TaskProcess? DescribeGroup(int leaderPid) =>
        BootId.Length > 0 && ProcStat.Read(leaderPid) is { IsDead: false } stat
            ? new TaskProcess(Host, BootId, leaderPid, stat.StartTime)
            : null;
}
