using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.Retries;
using Orchestrator.Core.States;
using Orchestrator.Core.Validation;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Tests.Tries;

/// <summary>A configuration error (<see cref="TaskFailedNoRetryException"/>, bad args) fails the try with no retry,
/// as Airflow's AirflowFailException does; any other failure is still retried. Retry delays are zero, so a wrongful
/// retry shows as an extra try rather than a hang.</summary>
public class NoRetryTests
{
    private static readonly RetryPolicy ThreeRetries = new() { Retries = 3, Delay = TimeSpan.Zero };

    [Fact]
    public async Task FailNow_RunsOneTry_AndTheReasonSaysWhy()
    {
        var (result, observer) = await RunAsync((_, _) => throw new TaskFailedNoRetryException("args.trainer 'Nope' is unknown"));

        Assert.Equal(TaskInstanceState.Failed, result.FinalState);
        var attempt = Assert.Single(result.Tries);
        Assert.True(attempt.ConfigurationError);
        Assert.Equal((TryOutcome.Failed, "args.trainer 'Nope' is unknown"), (attempt.Outcome, attempt.Error));
        Assert.Equal("args.trainer 'Nope' is unknown; not retried (3 retries left): a configuration error, which another try cannot change", result.Error);
        Assert.Empty(observer.Retries);
        Assert.Contains(attempt.Log, line => line.Level == "error" && line.Message == "args.trainer 'Nope' is unknown"); // no stack trace
    }

    [Fact]
    public async Task BadArgs_RunOneTry()
    {
        var (result, _) = await RunAsync((context, _) => Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(context.Args.RequireString("label"))));

        Assert.Equal(TaskInstanceState.Failed, result.FinalState);
        var attempt = Assert.Single(result.Tries);
        Assert.True(attempt.ConfigurationError);
        Assert.Contains("args.label", attempt.Error, StringComparison.Ordinal);
        Assert.Contains("not retried (3 retries left)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOrdinaryFailure_IsStillRetried()
    {
        var (result, observer) = await RunAsync((_, _) => throw new InvalidOperationException("the database is down"));

        Assert.Equal((TaskInstanceState.Failed, 4), (result.FinalState, result.Tries.Count));
        Assert.All(result.Tries, attempt => Assert.False(attempt.ConfigurationError));
        Assert.Equal(3, observer.Retries.Count);
        Assert.Equal("InvalidOperationException: the database is down", result.Error);
    }

    [Fact]
    public async Task FailNow_AfterAnOrdinaryFailure_StopsThere()
    {
        var (result, _) = await RunAsync((context, _) => context.TryNumber == 1
            ? throw new TaskFailedException("flaky")
            : throw new TaskFailedNoRetryException("now broken for good"));

        Assert.Equal([false, true], result.Tries.Select(t => t.ConfigurationError));
        Assert.Equal("now broken for good; not retried (2 retries left): a configuration error, which another try cannot change", result.Error);
    }

    [Fact]
    public async Task LocalRun_FailNowTask_FailsAfterOneTry_ItsChildUpstreamFailed_AndAFlakySiblingStillRetries()
    {
        var dag = new DagBuilder("no_retry");
        var broken = dag.Task<MisconfiguredTask>("broken").Retries(3, "0s");
        dag.Empty("after").DependsOn(broken);
        dag.Shell("flaky", "test $ORCHESTRATOR_TRY_NUMBER -ge 3 && echo ok").Retries(3, "0s");
        var registry = TaskTypeRegistry.CreateDefault();
        var validated = dag.TryBuild(new DagValidationOptions { KnownTaskTypes = registry.KnownTypes });
        var executor = new LocalRunExecutor(registry, TimeProvider.System);

        var result = await executor.RunAsync(validated.Dag!, validated.Graph!, executor.NewRun(validated.Dag!, Path.GetTempPath()), null, default);

        var tasks = result.Tasks.ToDictionary(t => t.TaskId.Value);
        Assert.Equal((TaskInstanceState.Failed, 1), (tasks["broken"].State, tasks["broken"].Tries.Count));
        Assert.Equal("unknown region 'mars'; not retried (3 retries left): a configuration error, which another try cannot change", tasks["broken"].Reason);
        Assert.Equal(TaskInstanceState.UpstreamFailed, tasks["after"].State);
        Assert.Equal((TaskInstanceState.Success, 3), (tasks["flaky"].State, tasks["flaky"].Tries.Count));
        Assert.Equal(DagRunState.Failed, result.State);
    }

    private static async Task<(TaskInstanceResult Result, RecordingObserver Observer)> RunAsync(Func<TaskContext, CancellationToken, Task<JsonElement?>> run)
    {
        var registry = new TaskTypeRegistry().Register("work", new ScriptedExecutor(run));
        var task = new TaskDefinition { Id = new TaskId("work"), Type = "work", Retry = ThreeRetries };
        var observer = new RecordingObserver();
        var result = await new TaskInstanceRunner(registry, TimeProvider.System).RunAllTriesAsync(Requests.For(task), observer, null, default);
        return (result, observer);
    }

    public sealed class MisconfiguredTask : IDagTask
    {
        public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            throw new TaskFailedNoRetryException("unknown region 'mars'");
    }
}
