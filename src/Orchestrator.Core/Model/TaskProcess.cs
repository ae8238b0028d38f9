namespace Orchestrator.Core.Model;

/// <summary>The OS process group a try's command runs in, recorded when it starts so that a later engine can
/// stop it before a retry. A pid alone is not an identity (pids are reused): <paramref name="StartTime"/> is the
/// leader's start in clock ticks after boot (/proc/PID/stat field 22) and <paramref name="BootId"/> the kernel's
/// boot id, so a process of another boot or a later process with the same pid is never taken for this one.</summary>
/// <param name="Host">The machine the group runs on (its host name).</param>
/// <param name="BootId">/proc/sys/kernel/random/boot_id of that machine when the group started.</param>
/// <param name="ProcessGroupId">The group's id: the pid of its leader (bash started through setsid).</param>
/// <param name="StartTime">The leader's start time in clock ticks since boot.</param>
public sealed record TaskProcess(string Host, string BootId, int ProcessGroupId, long StartTime);
