using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.Templating;
using Orchestrator.Execution.Logs;
using Orchestrator.Execution.Shell;
using Orchestrator.Execution.TaskTypes;

namespace Orchestrator.Execution.Tests.Shell;

/// <summary>What the shell executor tells about the process it starts, and how it stops it when cancelled.</summary>
public sealed class ShellProcessLifecycleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-shell-life-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task StartedProcess_IsReported_AsTheCommandsOwnGroup()
    {
        TaskProcess? reported = null;
        long ticksWhileRunning = 0;
        var output = await new ShellTaskExecutor().ExecuteAsync(Execution("sleep 0.5; echo $$", onStarted: (process, _) =>
        {
            reported = process;
            ticksWhileRunning = ProcessGroups.StartTicks(process.ProcessGroupId);
            return Task.CompletedTask;
        }), default);

        var bashPid = output!.Value.GetInt32(); // $$ is bash, made a group leader by setsid
        Assert.Equal(new TaskProcess(Environment.MachineName, LocalMachine.BootId, bashPid, ticksWhileRunning), reported);
    }

    [Fact]
    public async Task FailingReport_KillsTheGroup_BeforeTheCommandRan_AndFailsTheTry()
    {
        // The command is held until its group is recorded: when recording fails, nothing of it has run.
        var marker = Path.Combine(Path.GetTempPath(), $"orchestrator-gate-{Guid.NewGuid():N}");
        var group = 0;
        var membersWhenReported = -1;
        var execute = new ShellTaskExecutor().ExecuteAsync(Execution($"touch {marker}; sleep 300 & sleep 300 & wait", onStarted: (process, _) =>
        {
            group = process.ProcessGroupId;
            membersWhenReported = ProcessGroups.LiveMembers(group).Count;
            throw new InvalidOperationException("store unavailable");
        }), default);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => execute.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal("store unavailable", error.Message);
        Assert.Equal(1, membersWhenReported); // only the shell waiting for its start
        try
        {
            await ProcessGroups.EventuallyAsync(() => ProcessGroups.LiveMembers(group).Count == 0, $"group {group} outlived its failed try");
            Assert.False(File.Exists(marker), "the command ran although its process group was never recorded");
        }
        finally
        {
            ProcessGroups.KillGroup(group);
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task ShortKillGrace_KillsACommandIgnoringSigterm_Sooner()
    {
        var (elapsed, _) = await CancelAsync("trap '' TERM; echo ready > ready; sleep 300 & wait", TimeSpan.FromMilliseconds(200));

        // The former fixed grace was 2 s: the kill now follows the grace the caller gave.
        Assert.True(elapsed < TimeSpan.FromSeconds(1.5), $"cancelled after {elapsed}");
    }

    [Fact]
    public async Task LongKillGrace_LetsACommandFinishItsCleanup()
    {
        var (elapsed, group) = await CancelAsync(
            "trap 'sleep 2.5; echo cleaned > cleaned; exit 0' TERM; echo ready > ready; sleep 300 & wait", TimeSpan.FromSeconds(8));

        Assert.Equal("cleaned", (await File.ReadAllTextAsync(Path.Combine(_folder, "cleaned"))).Trim());
        Assert.True(elapsed >= TimeSpan.FromSeconds(2.5), $"cancelled after {elapsed}");
        Assert.Empty(ProcessGroups.LiveMembers(group));
    }

    /// <summary>Runs the command, cancels it once it wrote "ready", and times how long the cancellation took.</summary>
    private async Task<(TimeSpan Elapsed, int Group)> CancelAsync(string command, TimeSpan grace)
    {
        using var cancel = new CancellationTokenSource();
        var group = 0;
        var execute = new ShellTaskExecutor().ExecuteAsync(Execution(command, grace, (process, _) =>
        {
            group = process.ProcessGroupId;
            return Task.CompletedTask;
        }), cancel.Token);
        await ProcessGroups.EventuallyAsync(() => File.Exists(Path.Combine(_folder, "ready")), "the command never got ready");

        var watch = Stopwatch.StartNew();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => execute.WaitAsync(TimeSpan.FromSeconds(30)));
        ProcessGroups.KillGroup(group);
        return (watch.Elapsed, group);
    }

    private TaskContext Execution(string command, TimeSpan? grace = null, Func<TaskProcess, CancellationToken, Task>? onStarted = null)
    {
        var args = JsonSerializer.SerializeToElement(new { command });
        var run = Requests.Run(_folder);
        var task = new TaskDefinition { Id = new TaskId("sh"), Type = "shell", Args = args };
        var log = new TryLog(TimeProvider.System);
        return new TaskContext
        {
            Run = run,
            Task = task,
            TryNumber = 1,
            MaxTries = 1,
            Args = new TaskArgs(args, task.Id, _folder),
            Log = log,
            Logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            Time = TimeProvider.System,
            KillGrace = grace ?? TimeSpan.FromSeconds(2),
            OnProcessStarted = onStarted,
            Templates = new TemplateScope(run.DagId, run.RunId, run.LogicalDate, task.Id, 1, run.Params, run.Outputs),
        };
    }
}
