using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Tests;

/// <summary>The commands on a real store (each backend) without an engine: trigger, pause, and the store path of
/// clear and mark (a finished run reopened in one compare-and-set batch), including two operators at once.</summary>
public abstract class CommandTests
{
    private static readonly Actor Alice = new("alice");

    protected abstract ITestBackend Backend();

    [Fact]
    public async Task Trigger_CreatesAQueuedManualRun_OfTheLatestVersion_WithItsConf()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);

        var runId = await host.Runs.TriggerAsync(AppHost.Flow, """{"minRows": 5, "strict": false, "extra": [1]}""", Alice, default);

        var run = await host.RunAsync(runId);
        Assert.Equal((DagRunState.Queued, RunType.Manual, """{"minRows": 5, "strict": false, "extra": [1]}"""), (run.State, run.RunType, run.Conf));
        Assert.Equal((await host.Store.Dags.GetAsync(AppHost.Flow, default))!.LatestVersion, run.DagVersion);
        Assert.StartsWith("manual__", runId.Value, StringComparison.Ordinal);
        Assert.Equal("{}", (await host.RunAsync(await host.Runs.TriggerAsync(AppHost.Flow, null, Alice, default))).Conf);
    }

    [Theory]
    [InlineData("""{"minRows": "5"}""", "conf.minRows", "conf.minRows must be a number like the param's default 10, not a string")]
    [InlineData("""{"strict": 1}""", "conf.strict", "conf.strict must be a boolean like the param's default true, not a number")]
    [InlineData("""{"label": null}""", "conf.label", "conf.label must be a string like the param's default \"x\", not null")]
    [InlineData("""{"minRows": 1.5}""", "conf.minRows", "conf.minRows must be an integer (digits only, no fraction or exponent) like the param's default 10, not 1.5")]
    [InlineData("""[1]""", "conf", "conf is an array, not a JSON object")]
    [InlineData("""{"a": """, "conf", "conf is not valid JSON (line 1, position 7)")]
    public async Task Trigger_WithBadConf_IsInvalid_NamingTheField_AndCreatesNoRun(string conf, string field, string message)
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);

        var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Runs.TriggerAsync(AppHost.Flow, conf, Alice, default));

        Assert.Equal((ProblemKind.Invalid, field), (problem.Kind, problem.Field));
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
        Assert.Empty(await host.Store.Runs.ListAsync(new RunQuery(), default));
    }

    [Fact]
    public async Task Trigger_And_Pause_OfAnUnknownDag_AreNotFound()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);

        var trigger = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Runs.TriggerAsync(new DagId("nope"), null, Alice, default));
        var pause = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Dags.SetPausedAsync(new DagId("nope"), true, Alice, default));

        Assert.Equal((ProblemKind.NotFound, "no DAG 'nope' in the metadata store"), (trigger.Kind, trigger.Message));
        Assert.Equal(ProblemKind.NotFound, pause.Kind);
    }

    [Fact]
    public async Task Pause_AndUnpause_AreRecorded()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);

        await host.Dags.SetPausedAsync(AppHost.Flow, true, Alice, default);
        Assert.True((await host.Store.Dags.GetAsync(AppHost.Flow, default))!.IsPaused);

        await host.Dags.SetPausedAsync(AppHost.Flow, false, Alice, default);
        Assert.False((await host.Store.Dags.GetAsync(AppHost.Flow, default))!.IsPaused);
    }

    [Fact]
    public async Task Clear_OfAFinishedRun_ResetsTheTaskAndWhatItDecided_AndReopensTheRun()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);
        var runId = await FailedRunAsync(host);

        var cleared = await host.Tasks.ClearAsync(runId, new TaskId("b"), downstream: false, Alice, default);

        Assert.Equal(["b", "c"], cleared.Select(t => t.Value));
        Assert.Equal("a=success b=none c=none", await host.StatesAsync(runId));
        var b = await host.TaskAsync(runId, "b");
        Assert.Equal((1, 2, "cleared by alice"), (b.TryNumber, b.MaxTries, b.StateReason)); // try 2 comes with its full tries
        Assert.StartsWith("cleared by alice (decided again", (await host.TaskAsync(runId, "c")).StateReason, StringComparison.Ordinal);
        Assert.Equal((DagRunState.Queued, (DateTimeOffset?)null), ((await host.RunAsync(runId)).State, (await host.RunAsync(runId)).EndedAt));
    }

    [Fact]
    public async Task TwoClearsAtOnce_OneWins_TheOtherIsAConflict_AndTheTaskIsClearedOnce()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);
        var runId = await FailedRunAsync(host);

        var clears = Enumerable.Range(0, 2).Select(i => Task.Run(() => host.Tasks.ClearAsync(runId, new TaskId("b"), downstream: false, new Actor($"op{i}"), default))).ToArray();
        try
        {
            await Task.WhenAll(clears);
        }
        catch (ApplicationProblemException)
        {
            // one of them, checked below
        }

        Assert.Equal(1, clears.Count(c => c.IsCompletedSuccessfully));
        var refused = clears.Single(c => c.IsFaulted);
        Assert.Equal(ProblemKind.Conflict, Assert.IsType<ApplicationProblemException>(refused.Exception!.InnerException).Kind);
        var history = await host.Store.TaskInstances.HistoryAsync(runId, new TaskId("b"), default);
        Assert.Single(history, change => change.Reason?.StartsWith("cleared by", StringComparison.Ordinal) == true);
        Assert.Equal(2, (await host.TaskAsync(runId, "b")).MaxTries);
    }

    [Fact]
    public async Task Clear_OrMark_OfARunningRun_BesideAStandaloneEngine_IsAConflictNamingIt_AndChangesNothing()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);
        var runId = await host.Runs.TriggerAsync(AppHost.Flow, null, Alice, default);
        Assert.True(await host.Store.Runs.TryTransitionAsync(new RunTransition(runId, DagRunState.Queued, DagRunState.Running, DateTimeOffset.UnixEpoch), default));
        var now = DateTimeOffset.UtcNow;
        Assert.NotNull(await host.Store.Leases.TryAcquireAsync(Engine.Hosting.EngineLease.Name, "box:42:abc", now, now.AddMinutes(5), default));

        var clear = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.ClearAsync(runId, new TaskId("a"), false, Alice, default));
        var mark = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.MarkAsync(runId, new TaskId("a"), TaskInstanceState.Success, Alice, default));

        Assert.Equal((ProblemKind.Conflict, ProblemKind.Conflict), (clear.Kind, mark.Kind));
        Assert.Contains("the standalone engine box:42:abc drives this store", clear.Message, StringComparison.Ordinal);
        Assert.Equal("a=none b=none c=none", await host.StatesAsync(runId));
        Assert.Empty(await host.Store.RunChanges.OpenAsync(default)); // nothing filed for a scheduler
    }

    private static DagRunRecord ClusterRun(string runId, DagRunState state) =>
        new(new RunId(runId), AppHost.Flow, "v1", DateTimeOffset.UtcNow, RunType.Manual, state, "{}", DateTimeOffset.UtcNow);

    private static RunChangeRequest ClearOf(string runId) => new(0, new RunId(runId), new TaskId("a"), true, null, "cleared by alice", DateTimeOffset.UtcNow);

    /// <summary>A live scheduler's lease on the run, as the cluster's driver holds it.</summary>
    private static async Task DriveAsync(AppHost host, string runId, string owner = "s1", double minutes = 1)
    {
        var now = DateTimeOffset.UtcNow;
        Assert.NotNull(await host.Store.Leases.TryAcquireAsync("run/" + runId, owner, now.AddMinutes(Math.Min(0, minutes) - 1), now.AddMinutes(minutes), default));
    }

    [Fact]
    public async Task AClusterChange_TheDriverDoesNotTake_IsWithdrawn_AndAConflict()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);
        await DriveAsync(host, "r1");

        var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => TaskInstances.ClusterChangeRequests.ApplyAsync(
            host.Store, TimeProvider.System, ClusterRun("r1", DagRunState.Running), ClearOf("r1"), default, takeTimeout: TimeSpan.FromMilliseconds(300)));

        Assert.Equal(ProblemKind.Conflict, problem.Kind);
        Assert.Contains("did not take the change within 0.3 s, so it was withdrawn and nothing changed", problem.Message, StringComparison.Ordinal);
        Assert.Empty(await host.Store.RunChanges.OpenAsync(default));
        Assert.Equal(RunChangeStatus.Withdrawn, (await host.Store.RunChanges.GetAsync(1, default))?.Status);
    }

    [Fact]
    public async Task AClusterChange_WhoseCallerGoesAway_IsWithdrawn_NeverAppliedLater()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);
        await DriveAsync(host, "r1");
        using var gone = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TaskInstances.ClusterChangeRequests.ApplyAsync(
            host.Store, TimeProvider.System, ClusterRun("r1", DagRunState.Running), ClearOf("r1"), gone.Token));

        Assert.Equal(RunChangeStatus.Withdrawn, (await host.Store.RunChanges.GetAsync(1, default))?.Status);
    }

    [Theory]
    [InlineData("queued", "run r1 is queued: a scheduler is about to start it")]
    [InlineData("no lease", "no scheduler drives run r1 right now: another scheduler takes it over within the lease timeout")]
    [InlineData("expired lease", "no scheduler drives run r1 right now (its scheduler dead-s1 stopped renewing its lease)")]
    public async Task AClusterChange_NoSchedulerCanTake_IsAConflictAtOnce_FilingNothing(string situation, string message)
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);
        if (situation == "expired lease")
        {
            await DriveAsync(host, "r1", "dead-s1", minutes: -0.5);
        }

        var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => TaskInstances.ClusterChangeRequests.ApplyAsync(
            host.Store, TimeProvider.System, ClusterRun("r1", situation == "queued" ? DagRunState.Queued : DagRunState.Running), ClearOf("r1"), default));

        Assert.Equal(ProblemKind.Conflict, problem.Kind);
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
        Assert.Null(await host.Store.RunChanges.GetAsync(1, default));
    }

    [Theory]
    [InlineData(RunChangeStatus.Applied, "a,b")]
    [InlineData(RunChangeStatus.Refused, "task 'a' is running; wait until it ends")]
    public async Task AClusterChange_ReturnsWhatTheRunsSchedulerDecided(RunChangeStatus status, string outcome)
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);
        await DriveAsync(host, "r1");
        // A scheduler driving r1: takes the request once it is filed, and decides it.
        var scheduler = Task.Run(async () =>
        {
            IReadOnlyList<RunChangeRequest> filed;
            while ((filed = await host.Store.RunChanges.OpenAsync(default)).Count == 0)
            {
                await Task.Delay(20);
            }

            var open = filed[0];
            Assert.True(await host.Store.RunChanges.TakeAsync(open.Id, "s1", DateTimeOffset.UtcNow, default));
            Assert.True(await host.Store.RunChanges.DecideAsync(open.Id, status, outcome, DateTimeOffset.UtcNow, default));
        });

        var applying = TaskInstances.ClusterChangeRequests.ApplyAsync(
            host.Store, TimeProvider.System, ClusterRun("r1", DagRunState.Running), ClearOf("r1"), default, takeTimeout: TimeSpan.FromSeconds(30));
        if (status == RunChangeStatus.Applied)
        {
            Assert.Equal(["a", "b"], (await applying).Select(t => t.Value));
        }
        else
        {
            var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => applying);
            Assert.Equal((ProblemKind.Conflict, outcome), (problem.Kind, problem.Message));
        }

        await scheduler;
    }

    [Fact]
    public async Task UnknownRunOrTask_IsNotFound_AndAnotherMarkState_IsInvalid()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: false);
        var runId = await FailedRunAsync(host);

        var run = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.ClearAsync(new RunId("nope"), new TaskId("a"), false, Alice, default));
        var task = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.MarkAsync(runId, new TaskId("zz"), TaskInstanceState.Success, Alice, default));
        var state = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.MarkAsync(runId, new TaskId("b"), TaskInstanceState.Skipped, Alice, default));

        Assert.Equal(ProblemKind.NotFound, run.Kind);
        Assert.Equal((ProblemKind.NotFound, $"run {runId} has no task 'zz'; its tasks: a, b, c"), (task.Kind, task.Message));
        Assert.Equal((ProblemKind.Invalid, "state"), (state.Kind, state.Field));
        Assert.Equal("a=success b=failed c=upstream_failed", await host.StatesAsync(runId));
    }

    /// <summary>A run of flow recorded as an engine would leave it: a succeeded, b failed its only try, c upstream_failed.</summary>
    private static async Task<RunId> FailedRunAsync(AppHost host)
    {
        var runId = await host.Runs.TriggerAsync(AppHost.Flow, null, Alice, default);
        var store = host.Store;
        var at = DateTimeOffset.UnixEpoch;
        Assert.True(await store.Runs.TryTransitionAsync(new RunTransition(runId, DagRunState.Queued, DagRunState.Running, at), default));
        foreach (var (task, outcome) in new[] { ("a", TaskInstanceState.Success), ("b", TaskInstanceState.Failed) })
        {
            var id = new TaskId(task);
            Assert.True(await store.TaskInstances.TryTransitionAsync(new TaskTransition(runId, id, TaskInstanceState.None, TaskInstanceState.Scheduled, "met", at), default));
            Assert.True(await store.TaskInstances.TryTransitionAsync(new TaskTransition(runId, id, TaskInstanceState.Scheduled, TaskInstanceState.Queued, "queued", at), default));
            Assert.True(await store.TaskInstances.TryStartTryAsync(new TryStart(runId, id, 1, null, at), default));
            Assert.True(await store.TaskInstances.TryFinishTryAsync(new TryFinish(runId, id, 1, outcome.ToName(), null, at, outcome, "done"), default));
        }

        Assert.True(await store.TaskInstances.TryTransitionAsync(new TaskTransition(runId, new TaskId("c"), TaskInstanceState.None, TaskInstanceState.UpstreamFailed, "b failed", at), default));
        Assert.True(await store.Runs.TryTransitionAsync(new RunTransition(runId, DagRunState.Running, DagRunState.Failed, at), default));
        return runId;
    }
}

public sealed class SqliteCommandTests : CommandTests
{
    protected override ITestBackend Backend() => new SqliteBackend();
}

public sealed class PostgresCommandTests : CommandTests
{
    protected override ITestBackend Backend() => new PostgresBackend();
}
