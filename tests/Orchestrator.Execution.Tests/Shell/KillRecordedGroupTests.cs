using Orchestrator.Core.Model;
using Orchestrator.Execution.Shell;

namespace Orchestrator.Execution.Tests.Shell;

/// <summary><see cref="ProcessGroup.KillRecordedAsync"/> on real process groups, as a crashed engine leaves them:
/// a restarted engine must stop every member before a retry, and must never touch a process that is not the one
/// recorded.</summary>
public sealed class KillRecordedGroupTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task LeaderGone_MembersLeftBehind_AreAllTerminated()
    {
        using var leader = await ProcessGroups.StartGroupAsync("sleep 100 & sleep 100 & wait", members: 3);
        var group = leader.Id;
        try
        {
            var recorded = LocalMachine.DescribeGroup(group)!;
            leader.Kill(); // the leader only: its two sleeps stay in the group, re-parented
            await leader.WaitForExitAsync();
            Assert.Equal(2, ProcessGroups.LiveMembers(group).Count);

            var stop = await ProcessGroup.KillRecordedAsync(recorded, Grace, default);

            Assert.Equal(RecordedGroupOutcome.Terminated, stop.Outcome);
            Assert.True(stop.IsStopped);
            Assert.Empty(ProcessGroups.LiveMembers(group));
        }
        finally
        {
            ProcessGroups.KillGroup(group);
        }
    }

    [Fact]
    public async Task GroupIgnoringSigterm_IsKilledAfterTheGrace()
    {
        // An ignored signal stays ignored in children: no member reacts to SIGTERM.
        using var leader = await ProcessGroups.StartGroupAsync("trap '' TERM; sleep 100 & sleep 100 & wait", members: 3);
        var group = leader.Id;
        try
        {
            var recorded = LocalMachine.DescribeGroup(group)!;
            var watch = System.Diagnostics.Stopwatch.StartNew();

            var stop = await ProcessGroup.KillRecordedAsync(recorded, TimeSpan.FromMilliseconds(500), default);

            Assert.Equal(RecordedGroupOutcome.Killed, stop.Outcome);
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(500), $"SIGKILL came after {watch.Elapsed}, before the grace");
            Assert.Empty(ProcessGroups.LiveMembers(group));
        }
        finally
        {
            ProcessGroups.KillGroup(group);
        }
    }

    [Fact]
    public async Task ReusedPid_WithAnotherStartTime_IsNotTouched()
    {
        using var leader = await ProcessGroups.StartGroupAsync("sleep 100 & wait", members: 2);
        var group = leader.Id;
        try
        {
            var actual = ProcessGroups.StartTicks(group);
            var earlier = new TaskProcess(LocalMachine.Host, LocalMachine.BootId, group, actual - 1);

            var stop = await ProcessGroup.KillRecordedAsync(earlier, Grace, default);

            Assert.Equal(RecordedGroupOutcome.NotOurs, stop.Outcome);
            Assert.Contains($"pid {group} now belongs to another process", stop.Description, StringComparison.Ordinal);
            Assert.Equal(2, ProcessGroups.LiveMembers(group).Count);
            Assert.False(leader.HasExited);
        }
        finally
        {
            ProcessGroups.KillGroup(group);
        }
    }

    [Fact]
    public async Task AnotherHost_OrAnotherBoot_IsNotTouched()
    {
        using var leader = await ProcessGroups.StartGroupAsync("sleep 100 & wait", members: 2);
        var group = leader.Id;
        try
        {
            var here = LocalMachine.DescribeGroup(group)!;

            var otherHost = await ProcessGroup.KillRecordedAsync(here with { Host = here.Host + "-elsewhere" }, Grace, default);
            var otherBoot = await ProcessGroup.KillRecordedAsync(here with { BootId = "00000000-0000-0000-0000-000000000000" }, Grace, default);

            Assert.Equal(RecordedGroupOutcome.OtherHost, otherHost.Outcome);
            Assert.False(otherHost.IsStopped);
            Assert.Equal(RecordedGroupOutcome.Gone, otherBoot.Outcome);
            Assert.Contains("restarted", otherBoot.Description, StringComparison.Ordinal);
            Assert.Equal(2, ProcessGroups.LiveMembers(group).Count);
        }
        finally
        {
            ProcessGroups.KillGroup(group);
        }
    }

    [Fact]
    public async Task FinishedGroup_IsGone()
    {
        using var leader = await ProcessGroups.StartGroupAsync("sleep 100", members: 1);
        var recorded = LocalMachine.DescribeGroup(leader.Id)!;
        ProcessGroups.KillGroup(leader.Id);
        await leader.WaitForExitAsync();

        var stop = await ProcessGroup.KillRecordedAsync(recorded, Grace, default);

        Assert.Equal(RecordedGroupOutcome.Gone, stop.Outcome);
        Assert.True(stop.IsStopped);
    }

    [Fact]
    public async Task DescribeGroup_ReadsTheLeadersIdentity()
    {
        using var leader = await ProcessGroups.StartGroupAsync("sleep 100", members: 1);
        try
        {
            var described = LocalMachine.DescribeGroup(leader.Id)!;

            Assert.Equal(new TaskProcess(Environment.MachineName, File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(), leader.Id,
                ProcessGroups.StartTicks(leader.Id)), described);
        }
        finally
        {
            ProcessGroups.KillGroup(leader.Id);
        }
    }
}
