using Orchestrator.Core.Model;
using Orchestrator.Execution.Logs;
using Orchestrator.Execution.Tries;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Workers;

/// <summary>Records a try in the store as it happens. The runner calls it synchronously, so the writes are chained
/// in order and awaited by <see cref="DrainAsync"/> before the try's end is recorded. With startRecorded, the try's
/// start is already in the store (a worker process claims its try before running it): only the log is written.
/// With writeRetry, a write is tried again through it (a worker process rides out a database restart that way).</summary>
internal sealed class StoreTryObserver(
    IMetadataStore store, RunId runId, string workerId, TimeProvider time, bool startRecorded = false, Polly.ResiliencePipeline? writeRetry = null) : ITryObserver
{
    private readonly Lock _lock = new();
    private LiveLogWriter? _liveLog;
    private Task _chain = Task.CompletedTask;

    public void OnTryStarted(TaskId task, int tryNumber, DateTimeOffset startedAt)
    {
        if (!startRecorded)
        {
            Then(() => Require(store.TaskInstances.TryStartTryAsync(new TryStart(runId, task, tryNumber, workerId, startedAt), default), $"start try {tryNumber}"));
        }
    }

    public void OnLogLine(TaskId task, int tryNumber, TaskLogLine line) => LiveLog.OnLine(task, tryNumber, line);

    public void OnTryFinished(TryRecord record)
    {
        LiveLog.OnTryFinished(); // the try's last lines are queued before its end is recorded
    }

    public void OnRetryScheduled(TaskId task, int failedTryNumber, DateTimeOffset nextTryAt, TimeSpan delay, string reason)
    {
        // the coordinator decides and records retries
    }

    public Task DrainAsync()
    {
        lock (_lock)
        {
            return _chain;
        }
    }

    // Lines are written while the try runs, through the same ordered chain as the try's states.
    private LiveLogWriter LiveLog => LazyInitializer.EnsureInitialized(ref _liveLog, () => new LiveLogWriter(store.Logs, runId, time, Then));

    private void Then(Func<Task> write)
    {
        lock (_lock)
        {
            // A failed write fails the chain: later writes are skipped and DrainAsync throws the first error.
            _chain = _chain.ContinueWith(previous => previous.IsFaulted ? previous : Retried(write), TaskScheduler.Default).Unwrap();
        }
    }

    private Task Retried(Func<Task> write) =>
        writeRetry is null ? write() : writeRetry.ExecuteAsync(_ => new ValueTask(write()), CancellationToken.None).AsTask();

    private static async Task Require(Task<bool> change, string what)
    {
        if (!await change)
        {
            throw new InvalidOperationException($"the store refused to {what}: the task instance is not in the expected state");
        }
    }
}
