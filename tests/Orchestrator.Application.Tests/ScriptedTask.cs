using System.Collections.Concurrent;
using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Execution.TaskTypes;

namespace Orchestrator.Application.Tests;

/// <summary>A task type whose outcome the test decides per task and try: success unless told to fail, and held
/// running until released when told to hold.</summary>
internal sealed class ScriptedTask : ITaskExecutor
{
    private readonly ConcurrentDictionary<(string Task, int Try), bool> _failures = new();
    private readonly ConcurrentDictionary<(string Task, int Try), TaskCompletionSource> _holds = new();
    private readonly ConcurrentDictionary<(string Task, int Try), TaskCompletionSource> _started = new();

    public void Fail(string task, int tryNumber) => _failures[(task, tryNumber)] = true;

    /// <summary>The try stays running until the returned source is set.</summary>
    public TaskCompletionSource Hold(string task, int tryNumber) =>
        _holds.GetOrAdd((task, tryNumber), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public Task Started(string task, int tryNumber) => StartedSource(task, tryNumber).Task;

    public void ReleaseAll()
    {
        foreach (var hold in _holds.Values)
        {
            hold.TrySetResult();
        }
    }

    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = (context.Task.Id.Value, context.TryNumber);
        StartedSource(key.Value, key.TryNumber).TrySetResult();
        if (_holds.TryGetValue(key, out var hold))
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        return _failures.ContainsKey(key) ? throw new InvalidOperationException($"scripted failure of {key}") : null;
    }

    private TaskCompletionSource StartedSource(string task, int tryNumber) =>
        _started.GetOrAdd((task, tryNumber), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
