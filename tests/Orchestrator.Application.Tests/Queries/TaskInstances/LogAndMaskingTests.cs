using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Tests.Queries.TaskInstances;

/// <summary>Log chunks of a try while it runs and after it ends, and sensitive conf and output keys shown as ***.</summary>
public abstract class LogAndMaskingTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TaskId A = new("a");

    protected abstract ITestBackend Backend();

    [Fact]
    public async Task LogChunks_FollowARunningTry_AndAreFinishedOnlyOnceItEnded_AndTheLastLineWasRead()
    {
        await using var host = await QueryHost.StartAsync(Backend());
        var (runId, at) = await RunWithQueuedTaskAsync(host);
        Assert.True(await host.Store.TaskInstances.TryStartTryAsync(new TryStart(runId, A, 1, null, at), default));
        await host.Store.Logs.AppendAsync(runId, A, 1, [Line(at, "one"), Line(at, "two")], default);

        var first = await host.Tasks.LogsAsync(runId, A, 1, 0, default);
        Assert.Equal(("one two", false), (string.Join(" ", first.Lines.Select(l => l.Message)), first.Finished));
        Assert.Equal(first.Lines[^1].Seq, first.Next);

        var nothingYet = await host.Tasks.LogsAsync(runId, A, 1, first.Next, default);
        Assert.Equal((0, first.Next, false), (nothingYet.Lines.Count, nothingYet.Next, nothingYet.Finished));

        await host.Store.Logs.AppendAsync(runId, A, 1, [Line(at, "three")], default);
        Assert.True(await host.Store.TaskInstances.TryFinishTryAsync(new TryFinish(runId, A, 1, "success", null, at.AddMinutes(1), TaskInstanceState.Success, "done"), default));

        var last = await host.Tasks.LogsAsync(runId, A, 1, first.Next, default);
        Assert.Equal(("three", true), (string.Join(" ", last.Lines.Select(l => l.Message)), last.Finished));
        Assert.True(last.Next > first.Next);
        var after = await host.Tasks.LogsAsync(runId, A, 1, last.Next, default);
        Assert.Equal((0, last.Next, true), (after.Lines.Count, after.Next, after.Finished));
        Assert.Equal(["one", "two", "three"], (await host.Tasks.LogsAsync(runId, A, 1, 0, default)).Lines.Select(l => l.Message));
    }

    [Fact]
    public async Task ALongEndedLog_ComesInChunks_AndOnlyTheLastIsFinished()
    {
        await using var host = await QueryHost.StartAsync(Backend());
        var (runId, at) = await RunWithQueuedTaskAsync(host);
        Assert.True(await host.Store.TaskInstances.TryStartTryAsync(new TryStart(runId, A, 1, null, at), default));
        var lines = Enumerable.Range(0, Application.Queries.TaskInstances.TaskInstanceQueries.MaxChunkLines + 5).Select(i => Line(at, $"line {i}")).ToList();
        await host.Store.Logs.AppendAsync(runId, A, 1, lines, default);
        Assert.True(await host.Store.TaskInstances.TryFinishTryAsync(new TryFinish(runId, A, 1, "failed", "boom", at, TaskInstanceState.Failed, "boom"), default));

        var first = await host.Tasks.LogsAsync(runId, A, 1, 0, default);
        var second = await host.Tasks.LogsAsync(runId, A, 1, first.Next, default);

        Assert.Equal((1000, false), (first.Lines.Count, first.Finished));
        Assert.Equal((5, true, "line 1004"), (second.Lines.Count, second.Finished, second.Lines[^1].Message));
    }

    [Fact]
    public async Task Logs_OfATryThatNeverStarted_AreNotFound_AndBadNumbers_AreInvalidNamingTheParameter()
    {
        await using var host = await QueryHost.StartAsync(Backend());
        var (runId, _) = await RunWithQueuedTaskAsync(host);

        var notStarted = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.LogsAsync(runId, A, 1, 0, default));
        var tryZero = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.LogsAsync(runId, A, 0, 0, default));
        var negative = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.LogsAsync(runId, A, 1, -1, default));
        var noTask = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.LogsAsync(runId, new TaskId("zz"), 1, 0, default));

        Assert.Equal(ProblemKind.NotFound, notStarted.Kind);
        Assert.Equal((ProblemKind.Invalid, "tryNumber"), (tryZero.Kind, tryZero.Field));
        Assert.Equal((ProblemKind.Invalid, "after"), (negative.Kind, negative.Field));
        Assert.Equal(ProblemKind.NotFound, noTask.Kind);
    }

    [Fact]
    public async Task SensitiveConfKeys_AreMasked_InTheRunDetail_AtAnyDepth()
    {
        await using var host = await QueryHost.StartAsync(Backend());
        var dag = await host.RegisterAsync("""{ "id": "etl", "tasks": [ { "id": "a", "type": "empty" } ] }""");
        var runId = await host.RunAsync(dag, "r", Day1, new Dictionary<string, TaskInstanceState> { ["a"] = TaskInstanceState.Success },
            """{"rows": 5, "db_password": "hunter2", "customer_ssn": "123", "nested": {"API_TOKEN": "t", "name": "n"}}""");

        var conf = (await host.Runs.GetAsync(runId, default)).Conf;

        Assert.Equal(5, conf.GetProperty("rows").GetInt32());
        Assert.Equal("***", conf.GetProperty("db_password").GetString());
        Assert.Equal("***", conf.GetProperty("customer_ssn").GetString()); // a word the deployment added
        Assert.Equal("***", conf.GetProperty("nested").GetProperty("API_TOKEN").GetString());
        Assert.Equal("n", conf.GetProperty("nested").GetProperty("name").GetString());
        Assert.DoesNotContain("hunter2", conf.GetRawText(), StringComparison.Ordinal);

        // The list with conf (what `runs list --output json` prints) masks by the same rule.
        var listed = Assert.Single((await host.Runs.ListWithConfAsync(dag.Id, null, new PageRequest(0, 10), default)).Items);
        Assert.Equal(("r", conf.GetRawText()), (listed.Run.RunId, listed.Conf.GetRawText()));
        var unknown = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Runs.ListWithConfAsync(new DagId("nope"), null, new PageRequest(0, 10), default));
        Assert.Equal(ProblemKind.NotFound, unknown.Kind);
    }

    [Fact]
    public async Task SensitiveOutputKeys_AreMasked_InTheTaskInstanceDetail()
    {
        await using var host = await QueryHost.StartAsync(Backend());
        var dag = await host.RegisterAsync("""{ "id": "etl", "tasks": [ { "id": "a", "type": "shell", "args": { "command": "true" } } ] }""");
        var runId = await host.RunAsync(dag, "r", Day1, new Dictionary<string, TaskInstanceState> { ["a"] = TaskInstanceState.Success });
        await host.Store.Outputs.SetAsync(runId, A, """{"secret": "s3", "rows": 7}""", default);

        var detail = await host.Tasks.GetAsync(runId, A, default);

        var output = Assert.NotNull(detail.Output);
        Assert.Equal(("***", 7), (output.GetProperty("secret").GetString(), output.GetProperty("rows").GetInt32()));
        Assert.Equal("shell", detail.Type);
    }

    private static StoredLogLine Line(DateTimeOffset at, string message) => new(at, "info", message);

    private static async Task<(RunId, DateTimeOffset)> RunWithQueuedTaskAsync(QueryHost host)
    {
        var dag = await host.RegisterAsync("""{ "id": "etl", "tasks": [ { "id": "a", "type": "empty" } ] }""");
        var runId = await host.RunAsync(dag, "r", Day1, new Dictionary<string, TaskInstanceState> { ["a"] = TaskInstanceState.Queued });
        return (runId, Day1.AddMinutes(1));
    }
}

public sealed class SqliteLogAndMaskingTests : LogAndMaskingTests
{
    protected override ITestBackend Backend() => new SqliteBackend();
}

public sealed class PostgresLogAndMaskingTests : LogAndMaskingTests
{
    protected override ITestBackend Backend() => new PostgresBackend();
}
