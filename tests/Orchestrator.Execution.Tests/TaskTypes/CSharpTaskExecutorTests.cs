using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Tests.TaskTypes;

public class CSharpTaskExecutorTests
{
    [Fact]
    public async Task TaskClass_LogsIntoItsTry_AndReturnsItsOutput()
    {
        var task = new TaskDefinition { Id = new TaskId("greet"), Type = TaskDefinition.CSharpTaskType, Implementation = typeof(GreetTask) };
        var observer = new RecordingObserver();

        var result = await new TaskInstanceRunner(TaskTypeRegistry.CreateDefault(), TimeProvider.System)
            .RunAllTriesAsync(Requests.For(task), observer, null, CancellationToken.None);

        Assert.Equal("""{"Greeting":"hello from try 1","Run":"manual__1"}""", result.Output!.Value.GetRawText());
        var line = Assert.Single(result.Tries[0].Log);
        Assert.Equal(("warning", "greeting greet"), (line.Level, line.Message));
    }

    [Fact]
    public async Task ExceptionFromTaskClass_FailsTheTry_WithTypeAndMessage()
    {
        var task = new TaskDefinition { Id = new TaskId("boom"), Type = TaskDefinition.CSharpTaskType, Implementation = typeof(FailingTask) };

        var result = await new TaskInstanceRunner(TaskTypeRegistry.CreateDefault(), TimeProvider.System)
            .RunAllTriesAsync(Requests.For(task), NullTryObserver.Instance, null, CancellationToken.None);

        Assert.Equal("InvalidDataException: bad row 7", result.Error);
        Assert.Contains(result.Tries[0].Log, line => line.Level == "error" && line.Message.Contains("at Orchestrator.Execution.Tests", StringComparison.Ordinal));
    }

    private sealed class GreetTask : IDagTask
    {
        public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            context.Logger.LogWarning("greeting {Task}", context.TaskId);
            return Task.FromResult<object?>(new { Greeting = $"hello from try {context.TryNumber}", Run = context.RunId.Value });
        }
    }

    private sealed class FailingTask : IDagTask
    {
        public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            throw new InvalidDataException("bad row 7");
    }
}
