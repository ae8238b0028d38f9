using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Execution.Logs;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Tests.Logs;

public sealed class TaskOutputLimitTests
{
    [Fact]
    public void Check_MeasuresATextByItsUtf8Text_AndAnythingElseByItsJson()
    {
        var eightBytes = JsonSerializer.SerializeToElement("abcdefgh");
        var tenBytes = JsonDocument.Parse("\"ééééé\"").RootElement; // 2 bytes each
        var emoji = JsonSerializer.SerializeToElement("😀😀"); // 4 bytes each, though stored as \uD83D\uDE00 escapes

        TaskOutputLimit.Check(eightBytes, 8);
        TaskOutputLimit.Check(null, 0);
        Assert.Throws<TaskFailedException>(() => TaskOutputLimit.Check(eightBytes, 7));
        var error = Assert.Throws<TaskFailedException>(() => TaskOutputLimit.Check(JsonDocument.Parse("""{"a":"ééé"}""").RootElement, 12)); // 14 bytes
        TaskOutputLimit.Check(tenBytes, 10);
        TaskOutputLimit.Check(emoji, 8);
        Assert.Throws<TaskFailedException>(() => TaskOutputLimit.Check(emoji, 7));
        Assert.Contains("write large results to a file (or an artifact)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACSharpTaskReturningAnOutputOverTheDefaultLimit_FailsItsTry()
    {
        var big = JsonSerializer.SerializeToElement(new string('x', (1024 * 1024) + 1));
        var registry = TaskTypeRegistry.CreateDefault()
            .Register("big", new ScriptedExecutor((_, _) => Task.FromResult<JsonElement?>(big)))
            .Register("fits", new ScriptedExecutor((_, _) => Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(new string('x', 1024 * 1024)))));
        var runner = new TaskInstanceRunner(registry, TimeProvider.System);

        var failed = await runner.RunAllTriesAsync(Requests.For(new TaskDefinition { Id = new TaskId("t"), Type = "big" }), NullTryObserver.Instance, null, default);
        var fits = await runner.RunAllTriesAsync(Requests.For(new TaskDefinition { Id = new TaskId("t"), Type = "fits" }), NullTryObserver.Instance, null, default);

        Assert.Equal(TaskInstanceState.Failed, failed.FinalState);
        Assert.Equal("the task's output is 1,048,577 bytes, more than the output limit of 1 MB: an output is stored and passed to every downstream task, "
            + "so write large results to a file (or an artifact) and make its path the output instead", failed.Error);
        Assert.Equal(TaskInstanceState.Success, fits.FinalState);
    }
}
