using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;

namespace Orchestrator.Execution.Tries;

/// <summary>One try to run: the run it belongs to (shared, not copied), the task, the try number, and how the caller
/// wants to hear about it.</summary>
public sealed record TryRequest
{
    public required RunContext Run { get; init; }

    public required TaskDefinition Task { get; init; }

    /// <summary>The number of the try to run (1 for the first).</summary>
    public int TryNumber { get; init; } = 1;

    /// <summary>Tries the task may use in this run. Null: the task's own (its retries + 1).</summary>
    public int? MaxTries { get; init; }

    /// <summary>Told (and awaited) when the try has started a process group, so it can be recorded and, after a
    /// crash, killed before the try is replaced. If it throws, the group is killed and the try fails.</summary>
    public Func<int, TaskProcess, CancellationToken, Task>? OnProcessStarted { get; init; }

    /// <summary>Whether the try's record keeps its log lines (<c>dags test</c> replays them into the store; the engine
    /// has written them live already).</summary>
    public bool KeepLogLines { get; init; } = true;

    public TryRequest WithTry(int tryNumber) => tryNumber == TryNumber ? this : this with { TryNumber = tryNumber };
}

/// <summary>The end of a task instance in a local run: success, failed or skipped, after all its tries.</summary>
public sealed record TaskInstanceResult(TaskInstanceState FinalState, IReadOnlyList<TryRecord> Tries, JsonElement? Output, string? Error);
