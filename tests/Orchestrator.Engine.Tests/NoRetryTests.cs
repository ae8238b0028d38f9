using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;

namespace Orchestrator.Engine.Tests;

/// <summary>Through the engine: a configuration error (<see cref="TaskFailedNoRetryException"/>, bad args) fails the
/// task after one try whatever retries remain, and the store says why; an ordinary failure is still retried.</summary>
public class NoRetryTests
{
    private const string NotRetried = "not retried (3 retries left): a configuration error, which another try cannot change";

    [Fact]
    public async Task FailNowTask_RunsOneTry_ItsChildIsUpstreamFailed_AndTheReasonSaysWhy()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("fail_now");
        var broken = dag.Task<MisconfiguredTask>("broken").Retries(3, "0s");
        dag.Empty("after").DependsOn(broken);

        var runId = await engine.TriggerAsync(engine.Register(dag));

        Assert.Equal(DagRunState.Failed, await engine.FinishedAsync(runId));
        var tasks = await engine.TasksAsync(runId);
        Assert.Equal((TaskInstanceState.Failed, 1), (tasks["broken"].State, tasks["broken"].TryNumber));
        Assert.Equal(TaskInstanceState.UpstreamFailed, tasks["after"].State);
        var attempt = Assert.Single(await engine.Store.TaskInstances.ListTriesAsync(runId, new TaskId("broken"), default));
        Assert.Equal(("failed", "unknown region 'mars'"), (attempt.Outcome, attempt.Error));
        var history = await engine.Store.TaskInstances.HistoryAsync(runId, new TaskId("broken"), default);
        Assert.Equal($"unknown region 'mars'; {NotRetried}", history[^1].Reason);
    }

    [Fact]
    public async Task BadArgs_RunOneTry()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("bad_args");
        dag.Task<NeedsLabelTask>("train").Retries(3, "0s");

        var runId = await engine.TriggerAsync(engine.Register(dag));

        Assert.Equal(DagRunState.Failed, await engine.FinishedAsync(runId));
        Assert.Single(await engine.Store.TaskInstances.ListTriesAsync(runId, new TaskId("train"), default));
        var history = await engine.Store.TaskInstances.HistoryAsync(runId, new TaskId("train"), default);
        Assert.Contains("args.label", history[^1].Reason, StringComparison.Ordinal);
        Assert.EndsWith(NotRetried, history[^1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOrdinaryFailure_IsStillRetried()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("flaky");
        dag.Task<FlakyTask>("flaky").Retries(3, "0s");

        var runId = await engine.TriggerAsync(engine.Register(dag));

        Assert.Equal(DagRunState.Failed, await engine.FinishedAsync(runId));
        var tries = await engine.Store.TaskInstances.ListTriesAsync(runId, new TaskId("flaky"), default);
        Assert.Equal(4, tries.Count);
        var history = await engine.Store.TaskInstances.HistoryAsync(runId, new TaskId("flaky"), default);
        Assert.Equal("InvalidOperationException: the database is down", history[^1].Reason);
    }

    public sealed class MisconfiguredTask : IDagTask
    {
        public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            throw new TaskFailedNoRetryException("unknown region 'mars'");
    }

    public sealed class NeedsLabelTask : IDagTask
    {
        public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            Task.FromResult<object?>(context.Args.RequireString("label"));
    }

    public sealed class FlakyTask : IDagTask
    {
        public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the database is down");
    }
}
