using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Tests.Shell;

public sealed class ShellTaskExecutorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-shell-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task LastStdoutLine_IsTheOutput_ParsedAsJsonWhenItIsJson()
    {
        var json = await RunAsync("""echo starting; echo '{"rows": 42}'; echo""");
        var text = await RunAsync("echo starting; echo done for now");

        Assert.Equal(42, json.Output!.Value.GetProperty("rows").GetInt32());
        Assert.Equal("done for now", text.Output!.Value.GetString());
    }

    [Fact]
    public async Task APipeClosedEarly_EndsTheWriterQuietly_AsInATerminal()
    {
        var observer = new RecordingObserver();

        var result = await RunAsync("yes | head -1 > /dev/null; echo ${PIPESTATUS[0]}", observer: observer);

        Assert.Equal("141", result.Output!.Value.GetRawText()); // 128 + SIGPIPE: killed by the signal, not failing
        Assert.DoesNotContain(observer.Lines, line => line.Level == "stderr");
    }

    [Fact]
    public async Task NonZeroExit_FailsTheTry_AndStderrIsLogged()
    {
        var observer = new RecordingObserver();

        var result = await RunAsync("echo 'disk full' >&2; exit 3", observer: observer);

        Assert.Equal(TaskInstanceState.Failed, result.FinalState);
        Assert.Equal("command exited with code 3", result.Error);
        Assert.Contains(observer.Lines, line => line is { Level: "stderr", Message: "disk full" });
    }

    [Fact]
    public async Task Environment_TellsTheCommandWhereItRuns()
    {
        var result = await RunAsync(
            "echo \"$ORCHESTRATOR_DAG_ID $ORCHESTRATOR_RUN_ID $ORCHESTRATOR_TASK_ID $ORCHESTRATOR_TRY_NUMBER $MY_VAR $(basename $PWD)\"",
            args: new { env = new { MY_VAR = "x" }, cwd = "sub" });

        Assert.Equal("test_dag manual__1 sh 1 x sub", result.Output!.Value.GetString());
    }

    [Fact]
    public async Task Timeout_KillsTheWholeProcessTree()
    {
        var pidFile = Path.Combine(_folder, "child.pid");

        var result = await RunAsync($"sleep 300 & echo $! > {pidFile}; sleep 300", timeout: TimeSpan.FromSeconds(1));

        Assert.Equal(TryOutcome.TimedOut, result.Tries.Single().Outcome);
        var child = int.Parse(await File.ReadAllTextAsync(pidFile), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(IsAlive(child), $"background child {child} survived the timeout");
    }

    [Fact]
    public async Task Timeout_KillsAChildThatLeftItsParent()
    {
        var pidFile = Path.Combine(_folder, "orphan.pid");

        // The subshell exits at once: the sleep is re-parented to init, outside .NET's view of the tree.
        var result = await RunAsync($"( sleep 300 & echo $! > {pidFile} ); sleep 300", timeout: TimeSpan.FromSeconds(1));

        Assert.Equal(TryOutcome.TimedOut, result.Tries.Single().Outcome);
        var orphan = int.Parse(await File.ReadAllTextAsync(pidFile), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(IsAlive(orphan), $"re-parented child {orphan} survived the timeout");
    }

    [Fact]
    public async Task MissingCommand_IsAClearFailure()
    {
        var result = await RunAsync(null);

        Assert.Equal("task 'sh': args.command (a string) is required", result.Error);
    }

    private static bool IsAlive(int pid)
    {
        // A killed process may linger as a zombie until reaped; that is not alive.
        var status = $"/proc/{pid}/status";
        for (var i = 0; i < 50; i++)
        {
            if (!File.Exists(status) || File.ReadAllText(status).Contains("State:\tZ", StringComparison.Ordinal))
            {
                return false;
            }

            Thread.Sleep(100);
        }

        return true;
    }

    private async Task<TaskInstanceResult> RunAsync(string? command, object? args = null, TimeSpan? timeout = null, ITryObserver? observer = null)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "sub"));
        var element = JsonValues.FromObject(args ?? new { });
        if (command is not null)
        {
            var merged = System.Text.Json.Nodes.JsonNode.Parse(element.GetRawText())!.AsObject();
            merged["command"] = command;
            element = JsonSerializer.SerializeToElement(merged);
        }

        var task = new TaskDefinition { Id = new TaskId("sh"), Type = "shell", Args = element, Timeout = timeout };
        var runner = new TaskInstanceRunner(TaskTypeRegistry.CreateDefault(), TimeProvider.System);
        return await runner.RunAllTriesAsync(Requests.For(task, _folder), observer ?? NullTryObserver.Instance, null, CancellationToken.None);
    }
}
