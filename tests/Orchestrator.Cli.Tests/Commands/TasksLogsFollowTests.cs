using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>tasks logs --follow</c> on a try that an engine (played here by the test) is running.</summary>
public sealed class TasksLogsFollowTests : IAsyncLifetime
{
    private static readonly RunId Run = new("manual__follow");
    private static readonly TaskId Task1 = new("t");
    private readonly string _home = Directory.CreateTempSubdirectory("orchestrator-home-").FullName;
    private SqlMetadataStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_home, "orchestrator.db")), TimeProvider.System, default);
        var now = TimeProvider.System.GetUtcNow();
        await _store.Runs.CreateAsync(new DagRunRecord(Run, new DagId("d"), "v", now, RunType.Manual, DagRunState.Queued, "{}", now),
            [new TaskInstanceRecord(Run, Task1, TaskInstanceState.None, 0, 1, "default", now)], default);
        Assert.True(await _store.TaskInstances.TryTransitionAsync(new TaskTransition(Run, Task1, TaskInstanceState.None, TaskInstanceState.Scheduled, null, now), default));
        Assert.True(await _store.TaskInstances.TryTransitionAsync(new TaskTransition(Run, Task1, TaskInstanceState.Scheduled, TaskInstanceState.Queued, null, now), default));
        Assert.True(await _store.TaskInstances.TryStartTryAsync(new TryStart(Run, Task1, 1, "w", now), default));
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task Follow_PrintsTheLinesSoFar_ThenNewOnes_AndExitsWhenTheTryEnds()
    {
        await AppendAsync("before 1", "before 2");
        var output = new ObservableWriter();
        using var error = new StringWriter();

        var following = CliApp.RunAsync(["tasks", "logs", Run.Value, Task1.Value, "--follow", "--home", _home], output, error);

        await output.WaitForAsync("before 2");
        await AppendAsync("during");
        await output.WaitForAsync("during");
        Assert.False(following.IsCompleted, "--follow stopped while the try still runs");
        await AppendAsync("last words");
        Assert.True(await _store.TaskInstances.TryFinishTryAsync(new TryFinish(
            Run, Task1, 1, "success", null, TimeProvider.System.GetUtcNow(), TaskInstanceState.Success, "done"), default));

        Assert.Equal(0, await following.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(["before 1", "before 2", "during", "last words"],
            output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line[(line.IndexOf("] ", StringComparison.Ordinal) + 2)..]));
        Assert.Equal("try 1 ended: success", error.ToString().Trim());
    }

    [Fact]
    public async Task Follow_OfATaskNotStartedYet_WaitsForItsFirstTry()
    {
        var run = new RunId("manual__later");
        var now = TimeProvider.System.GetUtcNow();
        await _store.Runs.CreateAsync(new DagRunRecord(run, new DagId("d"), "v", now.AddMinutes(1), RunType.Manual, DagRunState.Queued, "{}", now),
            [new TaskInstanceRecord(run, Task1, TaskInstanceState.None, 0, 1, "default", now)], default);
        var output = new ObservableWriter();
        var error = new ObservableWriter();

        var following = CliApp.RunAsync(["tasks", "logs", run.Value, Task1.Value, "--follow", "--home", _home], output, error);
        await error.WaitForAsync("waiting for task 't' to start (it is none)");
        Assert.True(await _store.TaskInstances.TryTransitionAsync(new TaskTransition(run, Task1, TaskInstanceState.None, TaskInstanceState.Scheduled, null, now), default));
        Assert.True(await _store.TaskInstances.TryTransitionAsync(new TaskTransition(run, Task1, TaskInstanceState.Scheduled, TaskInstanceState.Queued, null, now), default));
        Assert.True(await _store.TaskInstances.TryStartTryAsync(new TryStart(run, Task1, 1, "w", now), default));
        await _store.Logs.AppendAsync(run, Task1, 1, [new StoredLogLine(now, "stdout", "started at last")], default);
        await output.WaitForAsync("started at last");
        Assert.True(await _store.TaskInstances.TryFinishTryAsync(new TryFinish(run, Task1, 1, "success", null, now, TaskInstanceState.Success, "done"), default));

        Assert.Equal(0, await following.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Follow_OfAnEndedTry_PrintsItsLogAndExits()
    {
        await AppendAsync("only");
        Assert.True(await _store.TaskInstances.TryFinishTryAsync(new TryFinish(
            Run, Task1, 1, "failed", "boom", TimeProvider.System.GetUtcNow(), TaskInstanceState.Failed, "boom"), default));

        var (exit, output, _) = await CliRunner.RunAsync("tasks", "logs", Run.Value, Task1.Value, "--follow", "--home", _home);

        Assert.Equal(0, exit);
        Assert.EndsWith("[stdout] only\n", output, StringComparison.Ordinal);
    }

    private Task AppendAsync(params string[] messages) =>
        _store.Logs.AppendAsync(Run, Task1, 1, [.. messages.Select(m => new StoredLogLine(TimeProvider.System.GetUtcNow(), "stdout", m))], default);

    /// <summary>A writer the test can read while the command writes to it.</summary>
    private sealed class ObservableWriter : StringWriter
    {
        private readonly Lock _lock = new();

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            lock (_lock)
            {
                base.WriteLine(value);
            }

            return Task.CompletedTask;
        }

        public async Task WaitForAsync(string text)
        {
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(20);
            while (!Text.Contains(text, StringComparison.Ordinal))
            {
                Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"'{text}' was never printed; so far: {Text}");
                await Task.Delay(20);
            }
        }
    }
}
