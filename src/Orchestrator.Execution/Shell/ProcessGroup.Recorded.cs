using System.Diagnostics;
using Orchestrator.Core.Model;

namespace Orchestrator.Execution.Shell;

/// <summary>What <see cref="ProcessGroup.KillRecordedAsync"/> found and did.</summary>
public enum RecordedGroupOutcome
{
    /// <summary>No process of the group was left (or the machine restarted since): nothing was signalled.</summary>
    Gone,

    /// <summary>The group ended within the grace period after SIGTERM.</summary>
    Terminated,

    /// <summary>The group outlived the grace period and was ended with SIGKILL.</summary>
    Killed,

    /// <summary>Even after SIGKILL some member had not exited (e.g. stuck in uninterruptible I/O).</summary>
    NotStopped,

    /// <summary>The group runs on another machine (or one whose processes cannot be checked): not touched.</summary>
    OtherHost,

    /// <summary>The recorded pid now belongs to a different process (pid reused): not touched.</summary>
    NotOurs,
}

/// <summary>The outcome and a sentence for the log or the try's state reason.</summary>
public sealed record RecordedGroupStop(RecordedGroupOutcome Outcome, string Description)
{
    /// <summary>True when no process of the recorded group can still be running on this machine.</summary>
    public bool IsStopped => Outcome is RecordedGroupOutcome.Gone or RecordedGroupOutcome.Terminated or RecordedGroupOutcome.Killed;
}

public static partial class ProcessGroup
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>After SIGKILL the kernel still has to tear the processes down; a retry must wait for that too.</summary>
    private static readonly TimeSpan KillSettle = TimeSpan.FromSeconds(5);

    /// <summary>Stops a process group recorded by an earlier engine (one that crashed) so a retry never overlaps it:
    /// only on the recorded host and boot, and only while the recorded pid is still the process that was recorded
    /// (same start time) or, once that leader exited, while members it left behind remain in its group. SIGTERM to
    /// the group, up to <paramref name="grace"/> for every member to exit, then SIGKILL. Waits in real time: these
    /// are the OS's processes, not the engine's clock.</summary>
    public static async Task<RecordedGroupStop> KillRecordedAsync(TaskProcess recorded, TimeSpan grace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var group = recorded.ProcessGroupId;
        var name = $"process group {group} on {recorded.Host}";
        if (!string.Equals(recorded.Host, LocalMachine.Host, StringComparison.Ordinal))
        {
            return new(RecordedGroupOutcome.OtherHost, $"{name} is not on this host ({LocalMachine.Host}): not touched");
        }

        if (LocalMachine.BootId.Length == 0)
        {
            return new(RecordedGroupOutcome.OtherHost, $"{name}: this system has no /proc to check it against: not touched");
        }

        if (!string.Equals(recorded.BootId, LocalMachine.BootId, StringComparison.Ordinal))
        {
            return new(RecordedGroupOutcome.Gone, $"{name} is gone: the machine has restarted since it started");
        }

        if (ProcStat.Read(group) is { IsDead: false } leader && leader.StartTime != recorded.StartTime)
        {
            // A live pid can only be reused once our whole group is gone (the kernel keeps a group's id while any member lives).
            return new(RecordedGroupOutcome.NotOurs,
                $"{name} is gone: pid {group} now belongs to another process (started at tick {leader.StartTime}, ours at {recorded.StartTime}): not touched");
        }

        if (LiveMembers(recorded) == 0)
        {
            return new(RecordedGroupOutcome.Gone, $"{name} is gone: no process of it is left");
        }

        Signal(group, SigTerm);
        if (await WaitUntilGoneAsync(recorded, grace, cancellationToken))
        {
            return new(RecordedGroupOutcome.Terminated, $"{name} ended after SIGTERM");
        }

        Signal(group, SigKill);
        return await WaitUntilGoneAsync(recorded, KillSettle, cancellationToken)
            ? new(RecordedGroupOutcome.Killed, $"{name} outlived the {grace.TotalSeconds:0.###} s grace after SIGTERM and was killed")
            : new(RecordedGroupOutcome.NotStopped, $"{name}: {LiveMembers(recorded)} process(es) still running {KillSettle.TotalSeconds:0} s after SIGKILL");
    }

    private static async Task<bool> WaitUntilGoneAsync(TaskProcess recorded, TimeSpan limit, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (LiveMembers(recorded) > 0)
        {
            if (watch.Elapsed >= limit)
            {
                return false;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        return true;
    }

    /// <summary>Live members of the recorded group. A member was forked by the leader or its descendants, so it
    /// cannot have started before the leader.</summary>
    private static int LiveMembers(TaskProcess recorded) =>
        ProcStat.GroupMembers(recorded.ProcessGroupId).Count(member => member.Stat.StartTime >= recorded.StartTime);
}
