using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Core.Validation;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Tests.Tries;

/// <summary>A task that throws <see cref="TaskSkippedException"/> ends skipped, as with Airflow's skip exception.</summary>
public class SkipTests
{
    [Fact]
    public async Task SkippingTask_EndsSkipped_WithoutRetry_AndItsReasonInTheLog()
    {
        var tries = 0;
        var registry = new TaskTypeRegistry().Register("gate", new ScriptedExecutor((_, _) =>
        {
            tries++;
            throw new TaskSkippedException("r2 0.41 is below 0.7");
        }));
        var task = new TaskDefinition { Id = new TaskId("gate"), Type = "gate", Retry = new Core.Retries.RetryPolicy { Retries = 3, Delay = TimeSpan.FromMilliseconds(1) } };

        var result = await new TaskInstanceRunner(registry, TimeProvider.System).RunAllTriesAsync(Requests.For(task), NullTryObserver.Instance, null, default);

        Assert.Equal((TaskInstanceState.Skipped, 1), (result.FinalState, tries));
        Assert.Equal("r2 0.41 is below 0.7", result.Error);
        var attempt = Assert.Single(result.Tries);
        Assert.Equal((TryOutcome.Skipped, "skipped"), (attempt.Outcome, attempt.Outcome.ToName()));
        Assert.Contains(attempt.Log, line => line.Level == "info" && line.Message == "skipped: r2 0.41 is below 0.7");
    }

    [Fact]
    public async Task LocalRun_SkippedTask_SkipsItsAllSuccessChild_AndRunsItsNoneFailedChild()
    {
        var dag = new DagBuilder("gated");
        var gate = dag.Task<SkippingTask>("gate");
        dag.Shell("deploy", "echo deployed").DependsOn(gate);
        dag.Shell("report", "echo reported").DependsOn(gate).TriggerRule(TriggerRule.NoneFailed);
        var registry = TaskTypeRegistry.CreateDefault();
        var validated = dag.TryBuild(new DagValidationOptions { KnownTaskTypes = registry.KnownTypes });
        var executor = new LocalRunExecutor(registry, TimeProvider.System);

        var result = await executor.RunAsync(validated.Dag!, validated.Graph!, executor.NewRun(validated.Dag!, Path.GetTempPath()), null, default);

        var states = result.Tasks.ToDictionary(t => t.TaskId.Value);
        Assert.Equal(TaskInstanceState.Skipped, states["gate"].State);
        Assert.Equal("candidate not blessed", states["gate"].Reason);
        Assert.Single(states["gate"].Tries);
        Assert.Equal(TaskInstanceState.Skipped, states["deploy"].State);
        Assert.Empty(states["deploy"].Tries);
        Assert.Equal(TaskInstanceState.Success, states["report"].State);
        Assert.Equal(DagRunState.Success, result.State);
    }

    public sealed class SkippingTask : IDagTask
    {
        public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            throw new TaskSkippedException("candidate not blessed");
    }
}
