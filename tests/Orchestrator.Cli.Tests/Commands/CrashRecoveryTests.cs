using System.Globalization;
using System.Text.Json;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary>A task never runs twice at once, and stopping or crashing the engine does not fail runs: checked on a real
/// <c>standalone</c> process, killed with SIGKILL or stopped with SIGTERM while a task with no retries runs.</summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-crash-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData("KILL", "lost")]
    [InlineData("TERM", "interrupted")]
    public async Task EngineKilledOrStoppedDuringATry_TheRetryStartsOnlyAfterTheOldTryIsGone_AndTheRunSucceeds(string signal, string firstOutcome)
    {
        var marks = Directory.CreateDirectory(Path.Combine(_root, "marks")).FullName;
        var dags = Directory.CreateDirectory(Path.Combine(_root, "dags")).FullName;
        var home = Path.Combine(_root, "home");
        // Try 1 leaves a child in its process group (as real scripts do) and runs long; try 2 checks that nothing of
        // try 1 is still alive (a zombie waiting for init to reap it is dead) when it starts. No retries: a lost or
        // interrupted try must not use one up.
        File.WriteAllText(Path.Combine(dags, "long.json"), JsonSerializer.Serialize(new
        {
            id = "long",
            tasks = new[]
            {
                new
                {
                    id = "work", type = "shell",
                    args = new
                    {
                        command = $$"""
                            cd {{marks}}
                            if [ "$ORCHESTRATOR_TRY_NUMBER" = 1 ]; then sleep 60 & echo $! > child; echo $$ > leader; wait; fi
                            for p in $(cat leader child); do s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null); if [ -n "$s" ] && [ "$s" != Z ]; then echo "$p $s" >> overlap; fi; done
                            echo done
                            """,
                    },
                },
            },
        }));
        var port = StandaloneProcess.FreePort();
        var first = StandaloneProcess.Start(dags, home, port, ["--stop-grace", "1s"]);
        var firstLog = StandaloneProcess.Capture(first);
        System.Diagnostics.Process? second = null;
        try
        {
            await StandaloneProcess.WaitHealthyAsync(port, firstLog);
            var (code, runId, error) = await CliRunner.RunAsync("dags", "trigger", "long", "--dags", dags, "--home", home);
            Assert.True(code == 0, error);
            await StandaloneProcess.EventuallyAsync(() => Task.FromResult(File.Exists(Path.Combine(marks, "leader")) ? "started" : null));
            var child = int.Parse(await File.ReadAllTextAsync(Path.Combine(marks, "child")), CultureInfo.InvariantCulture);

            StandaloneProcess.Kill(first.Id, signal);
            await first.WaitForExitAsync();
            if (signal == "KILL")
            {
                Assert.True(Alive(child), "after kill -9 of the engine, its task's process group lives on (setsid): the restart must deal with it");
            }

            var secondPort = StandaloneProcess.FreePort();
            second = StandaloneProcess.Start(dags, home, secondPort);
            var secondLog = StandaloneProcess.Capture(second);
            await StandaloneProcess.EventuallyAsync(async () =>
            {
                var (_, runs, _) = await CliRunner.RunAsync("runs", "list", "--dag", "long", "--output", "json", "--home", home);
                return runs.Contains("\"success\"", StringComparison.Ordinal) ? runs : null;
            }, seconds: 90);

            Assert.False(File.Exists(Path.Combine(marks, "overlap")), $"try 2 started while try 1's processes were alive: {Read(Path.Combine(marks, "overlap"))}\n{secondLog}");
            Assert.False(Alive(child));
            var (_, logs, _) = await CliRunner.RunAsync("tasks", "logs", runId.Trim(), "work", "--try", "2", "--home", home);
            Assert.Contains("done", logs, StringComparison.Ordinal);
            var (_, firstTry, _) = await CliRunner.RunAsync("tasks", "logs", runId.Trim(), "work", "--try", "1", "--home", home);
            Assert.DoesNotContain("done", firstTry, StringComparison.Ordinal);
            _ = secondLog;
            Assert.Contains(firstOutcome, await TriesAsync(home, runId.Trim()), StringComparison.Ordinal);
        }
        finally
        {
            await StandaloneProcess.KillAllAsync(first, second);
        }
    }

    private static async Task<string> TriesAsync(string home, string runId)
    {
        await using var store = await Storage.Sql.SqlMetadataStore.OpenAsync(
            new Storage.Sqlite.SqliteDatabase(Path.Combine(home, "orchestrator.db")), TimeProvider.System, default);
        var tries = await store.TaskInstances.ListTriesAsync(new Core.Model.RunId(runId), new Core.Model.TaskId("work"), default);
        return string.Join(",", tries.Select(t => $"{t.TryNumber}:{t.Outcome}"));
    }

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}
