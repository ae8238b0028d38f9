using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Core.Validation;
using Orchestrator.Execution.Hosting;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Tests.TaskTypes;

/// <summary>Task classes and task types get what they need from the host's services.</summary>
public class TaskServicesTests
{
    [Fact]
    public async Task TaskClass_GetsRegisteredServices_ThroughItsConstructor()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero));
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IGreeting>(new Greeting("bonjour"))
            .AddOrchestratorExecution()
            .BuildServiceProvider();
        var task = new TaskDefinition { Id = new TaskId("greet"), Type = TaskDefinition.CSharpTaskType, Implementation = typeof(ServedTask), Args = Json("""{"name": "ada"}""") };

        var result = await services.GetRequiredService<TaskInstanceRunner>().RunAllTriesAsync(Requests.For(task), NullTryObserver.Instance, null, default);

        Assert.Equal(TaskInstanceState.Success, result.FinalState);
        Assert.Equal("""{"text":"bonjour ada","at":"2030-05-06T07:08:09+00:00"}""", result.Output!.Value.GetRawText());
    }

    [Fact]
    public async Task TaskClass_AskingForAnUnregisteredService_FailsTheTry_NamingClassAndParameter()
    {
        var services = new ServiceCollection().AddOrchestratorExecution().BuildServiceProvider();
        var task = new TaskDefinition { Id = new TaskId("greet"), Type = TaskDefinition.CSharpTaskType, Implementation = typeof(ServedTask) };

        var result = await services.GetRequiredService<TaskInstanceRunner>().RunAllTriesAsync(Requests.For(task), NullTryObserver.Instance, null, default);

        Assert.Equal(TaskInstanceState.Failed, result.FinalState);
        Assert.Equal(
            $"task 'greet': cannot create {typeof(ServedTask).FullName}: its constructor parameter 'greeting' (IGreeting) is not a registered service; " +
            "register it in the host's services, or read it from the TaskContext",
            result.Error);
    }

    [Fact]
    public async Task TaskClass_AskingForAnUnregisteredService_IsNotRetried_AnotherTryCannotFindIt()
    {
        var services = new ServiceCollection().AddOrchestratorExecution().BuildServiceProvider();
        var task = new TaskDefinition
        {
            Id = new TaskId("greet"), Type = TaskDefinition.CSharpTaskType, Implementation = typeof(ServedTask),
            Retry = new Core.Retries.RetryPolicy { Retries = 3, Delay = TimeSpan.Zero },
        };

        var result = await services.GetRequiredService<TaskInstanceRunner>().RunAllTriesAsync(Requests.For(task), NullTryObserver.Instance, null, default);

        Assert.Equal(TaskInstanceState.Failed, result.FinalState);
        Assert.Single(result.Tries);
        Assert.Contains("is not a registered service", result.Error, StringComparison.Ordinal);
        Assert.Contains("not retried (3 retries left)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisteredTaskType_IsKnownToValidation_AndRunsWithItsServices()
    {
        var services = new ServiceCollection()
            .AddSingleton<IGreeting>(new Greeting("hello"))
            .AddOrchestratorExecution()
            .AddOrchestratorTaskType<GreetExecutor>("custom.greet")
            .BuildServiceProvider();
        var registry = services.GetRequiredService<TaskTypeRegistry>();
        var dag = new DagBuilder("custom");
        dag.Task("hi", "custom.greet", new { name = "{{ params.who }}" });
        dag.Param("who", "grace");

        var validated = dag.TryBuild(new DagValidationOptions { KnownTaskTypes = registry.KnownTypes });
        Assert.Empty(validated.Errors);
        var executor = services.GetRequiredService<LocalRunExecutor>();
        var result = await executor.RunAsync(validated.Dag!, validated.Graph!, executor.NewRun(validated.Dag!, Path.GetTempPath()), null, default);

        Assert.Equal(DagRunState.Success, result.State);
        Assert.Equal("\"hello grace\"", result.Tasks[0].Output!.Value.GetRawText());
        // Without the registration the same DAG is refused, naming the type.
        var plain = new ServiceCollection().AddOrchestratorExecution().BuildServiceProvider().GetRequiredService<TaskTypeRegistry>();
        var refused = dag.TryBuild(new DagValidationOptions { KnownTaskTypes = plain.KnownTypes });
        Assert.Contains(refused.Errors, error => error.Message.Contains("custom.greet", StringComparison.Ordinal));
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    public interface IGreeting
    {
        string Word { get; }
    }

    private sealed record Greeting(string Word) : IGreeting;

    private sealed class ServedTask(TimeProvider time, IGreeting greeting) : IDagTask
    {
        public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            Task.FromResult<object?>(new { text = $"{greeting.Word} {context.Args.GetString("name")}", at = time.GetUtcNow() });
    }

    private sealed class GreetExecutor(IGreeting greeting) : ITaskExecutor
    {
        public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement($"{greeting.Word} {context.Args.RequireString("name")}"));
    }
}
