using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Workers;
using Orchestrator.Execution.Logs;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests;

/// <summary>When a running try's lines are written: on a fake clock, with writes queued as the instance's write
/// chain would queue them and run when the test says.</summary>
public sealed class LiveLogWriterTests
{
    private static readonly TaskId Task1 = new("t");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingLogStore _store = new();
    private readonly Queue<Func<Task>> _queued = new();
    private readonly LiveLogWriter _writer;

    public LiveLogWriterTests() =>
        _writer = new LiveLogWriter(_store, new RunId("r"), _time, _queued.Enqueue, new LiveLogOptions { FlushInterval = TimeSpan.FromSeconds(1), MaxBatchLines = 5 });

    [Fact]
    public async Task Lines_AreWrittenOnceTheIntervalHasPassed_WhileTheTryRuns()
    {
        Write(1, "a", "b");
        await RunQueuedAsync();
        _time.Advance(TimeSpan.FromMilliseconds(999));
        await RunQueuedAsync();
        Assert.Empty(_store.Appends);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await RunQueuedAsync();

        Assert.Equal([(1, "a,b")], _store.Appends);
    }

    [Fact]
    public async Task AFullBatch_IsWrittenWithoutWaiting_AndLinesArrivingBeforeItsTurnGoWithIt()
    {
        Write(1, "1", "2", "3", "4", "5");
        Write(1, "6");
        await RunQueuedAsync();

        Assert.Equal([(1, "1,2,3,4,5,6")], _store.Appends);

        Write(1, "7");
        _time.Advance(TimeSpan.FromSeconds(1));
        await RunQueuedAsync();
        Assert.Equal([(1, "1,2,3,4,5,6"), (1, "7")], _store.Appends);
    }

    [Fact]
    public async Task TheTrysEnd_WritesTheRest_AndTheNextTrysLinesGoToThatTry()
    {
        Write(1, "a");
        _writer.OnTryFinished();
        await RunQueuedAsync();
        Assert.Equal([(1, "a")], _store.Appends);

        _time.Advance(TimeSpan.FromSeconds(5)); // the first try's timer is gone: nothing more
        await RunQueuedAsync();
        Write(2, "b");
        _writer.OnTryFinished();
        _writer.OnTryFinished(); // nothing left: no write
        await RunQueuedAsync();

        Assert.Equal([(1, "a"), (2, "b")], _store.Appends);
    }

    [Fact]
    public async Task ASilentTry_CostsNoWrite()
    {
        _writer.OnTryFinished();
        _time.Advance(TimeSpan.FromSeconds(5));

        await RunQueuedAsync();

        Assert.Empty(_store.Appends);
    }

    private void Write(int tryNumber, params string[] messages)
    {
        foreach (var message in messages)
        {
            _writer.OnLine(Task1, tryNumber, new TaskLogLine(_time.GetUtcNow(), "stdout", message));
        }
    }

    private async Task RunQueuedAsync()
    {
        while (_queued.TryDequeue(out var write))
        {
            await write();
        }
    }

    private sealed class RecordingLogStore : ITaskLogStore
    {
        public List<(int Try, string Lines)> Appends { get; } = [];

        public Task AppendAsync(RunId runId, TaskId taskId, int tryNumber, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken)
        {
            Appends.Add((tryNumber, string.Join(',', lines.Select(l => l.Message))));
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<StoredLogLine>> ReadAsync(RunId runId, TaskId taskId, int tryNumber, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<NumberedLogLine>> ReadAfterAsync(RunId runId, TaskId taskId, int tryNumber, long afterId, int limit, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
