using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Execution.Logs;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Tests;

/// <summary>A task type whose behaviour the test writes inline.</summary>
internal sealed class ScriptedExecutor(Func<TaskContext, CancellationToken, Task<JsonElement?>> run) : ITaskExecutor
{
    public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) => run(context, cancellationToken);
}

/// <summary>A fake clock that says when a timer is armed, so a test advances time only once a wait has begun.</summary>
internal sealed class SteppedTimeProvider : FakeTimeProvider
{
    private readonly SemaphoreSlim _timerCreated = new(0);

    public SteppedTimeProvider()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SignallingTimer(base.CreateTimer(callback, state, dueTime, period), this);
        Armed(dueTime);
        return timer;
    }

    private void Armed(TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _timerCreated.Release();
        }
    }

    /// <summary>Polly arms its timeout by changing an idle timer: that counts as arming too.</summary>
    private sealed class SignallingTimer(ITimer inner, SteppedTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            owner.Armed(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    public async Task WaitForTimerAsync()
    {
        if (!await _timerCreated.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("no timer was armed");
        }
    }
}

/// <summary>Records what a runner reports.</summary>
internal sealed class RecordingObserver : ITryObserver
{
    public ConcurrentQueue<(int Try, DateTimeOffset NextTryAt, TimeSpan Delay, string Reason)> Retries { get; } = new();

    public ConcurrentQueue<TaskLogLine> Lines { get; } = new();

    public ConcurrentQueue<TryRecord> Finished { get; } = new();

    public void OnTryStarted(TaskId task, int tryNumber, DateTimeOffset startedAt)
    {
    }

    public void OnLogLine(TaskId task, int tryNumber, TaskLogLine line) => Lines.Enqueue(line);

    public void OnTryFinished(TryRecord record) => Finished.Enqueue(record);

    public void OnRetryScheduled(TaskId task, int failedTryNumber, DateTimeOffset nextTryAt, TimeSpan delay, string reason) =>
        Retries.Enqueue((failedTryNumber, nextTryAt, delay, reason));
}

internal static class Requests
{
    public static RunContext Run(string? folder = null) => new()
    {
        DagId = new DagId("test_dag"),
        RunId = new RunId("manual__1"),
        LogicalDate = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        Params = new Dictionary<string, JsonElement>(),
        Outputs = new Dictionary<TaskId, JsonElement>(),
        DagFolder = folder ?? Path.GetTempPath(),
    };

    public static TryRequest For(TaskDefinition task, string? folder = null) => new() { Run = Run(folder), Task = task };
}
