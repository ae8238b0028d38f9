using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Runs;
using Orchestrator.ML.Tasks;

namespace Orchestrator.Engine.Tests.Ml;

/// <summary>The engine dies after an ML step committed its effect but before the step's try was recorded as ended: the
/// resumed run retries the step, and the retry finds what the lost try did instead of doing it again.</summary>
public class CrashBetweenRegisterAndDeployTests
{
    [Fact]
    public async Task A_crash_after_register_committed_leaves_one_version_that_the_resumed_run_deploys_once()
    {
        using var ml = new MlEngineServices();
        await using var engine = await EngineFixture.StartAsync(registry: ml.Registry("ml.register", typeof(RegisterTask)));
        ml.Engine = engine;
        var run = await engine.TriggerAsync(engine.Register(ml.Dag("ml_register_crash")));
        await ml.Done.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // The version's transaction has committed; the register try is still "running" when the engine dies.
        Assert.Single(await engine.Store.Models.ListVersionsAsync("taxi_fare", default));
        Assert.Equal(TaskInstanceState.Running, (await engine.TasksAsync(run))["register"].State);
        await engine.RestartAsync();
        Assert.True(await engine.Coordinator.StartAsync(run, default));

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(run));
        var tries = await engine.Store.TaskInstances.ListTriesAsync(run, new TaskId("register"), default);
        Assert.Equal([(RunCoordinator.LostOutcome, 1), ("success", 2)], tries.Select(t => (t.Outcome!, t.TryNumber)));

        var version = Assert.Single(await engine.Store.Models.ListVersionsAsync("taxi_fare", default));
        Assert.Equal((1, 1), (version.Version, version.CreatedBy.TryNumber)); // registered by the lost try, found by the retry
        var registered = Output<ModelVersionOutput>(await engine.Store.Outputs.GetAllAsync(run, default), "register", MlOutputKinds.ModelVersion);
        Assert.Equal((1, false), (registered.Version, registered.Created));

        Assert.Equal(1, (await engine.Store.Models.GetByAliasAsync("taxi_fare", "production", default))!.Version);
        var move = Assert.Single(await engine.Store.Models.AliasHistoryAsync("taxi_fare", null, default));
        Assert.Equal((null, 1), (move.FromVersion, move.ToVersion));
        Assert.EndsWith("/deploy#1", move.MovedBy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crash_after_deploy_moved_the_alias_leaves_one_move_in_its_history()
    {
        using var ml = new MlEngineServices();
        await using var engine = await EngineFixture.StartAsync(registry: ml.Registry("ml.deploy", typeof(DeployTask)));
        ml.Engine = engine;
        var run = await engine.TriggerAsync(engine.Register(ml.Dag("ml_deploy_crash")));
        await ml.Done.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Single(await engine.Store.Models.AliasHistoryAsync("taxi_fare", null, default));
        await engine.RestartAsync();
        Assert.True(await engine.Coordinator.StartAsync(run, default));

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(run));
        var tries = await engine.Store.TaskInstances.ListTriesAsync(run, new TaskId("deploy"), default);
        Assert.Equal([(RunCoordinator.LostOutcome, 1), ("success", 2)], tries.Select(t => (t.Outcome!, t.TryNumber)));
        Assert.Single(await engine.Store.Models.ListVersionsAsync("taxi_fare", default));
        Assert.Equal(1, (await engine.Store.Models.GetByAliasAsync("taxi_fare", "production", default))!.Version);
        var move = Assert.Single(await engine.Store.Models.AliasHistoryAsync("taxi_fare", null, default));
        Assert.EndsWith("/deploy#1", move.MovedBy, StringComparison.Ordinal); // the retry found the alias moved
    }

    [Fact]
    public async Task A_crash_mid_training_leaves_the_lost_tries_tracking_run_killed_not_running()
    {
        using var ml = new MlEngineServices();
        await using var engine = await EngineFixture.StartAsync(registry: ml.RegistryDyingWhileTraining());
        ml.Engine = engine;
        var run = await engine.TriggerAsync(engine.Register(ml.Dag("ml_train_crash")));
        await ml.Done.Task.WaitAsync(TimeSpan.FromSeconds(60));

        await engine.RestartAsync();
        Assert.True(await engine.Coordinator.StartAsync(run, default));

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(run));
        var experiment = (await engine.Store.Tracking.FindExperimentAsync("ml_train_crash", default))!;
        var runs = await engine.Store.Tracking.ListRunsAsync(experiment.Id, default);
        Assert.Equal(
            [(1, Storage.Records.TrackingRunStatus.Killed), (2, Storage.Records.TrackingRunStatus.Finished)],
            runs.Select(r => (r.CreatedBy.TryNumber ?? 0, r.Status)).OrderBy(r => r.Item1));
    }

    private static T Output<T>(IReadOnlyDictionary<TaskId, string> outputs, string task, string kind)
        where T : class
    {
        using var json = JsonDocument.Parse(outputs[new TaskId(task)]);
        return MlJson.As<T>(json.RootElement, kind) ?? throw new InvalidOperationException($"{task}'s output is not a {kind}");
    }
}
