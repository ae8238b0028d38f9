using System.Text;
using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Tests.Shell;

/// <summary>What a shell task that prints too much leaves in its log and output, with the default limits.</summary>
public sealed class ShellOutputLimitsTests
{
    private const string FiftyMegabyteLine = "head -c 52428800 /dev/zero | tr '\\0' x; echo";
    private const string CutMarker = "… [line truncated: 52,363,264 more characters]"; // 50 MB − 64 KB

    [Fact]
    public async Task AFiftyMegabyteLastLine_IsCutInTheLog_AndFailsTheTry_SayingToWriteAFile()
    {
        var observer = new RecordingObserver();

        var result = await RunAsync(FiftyMegabyteLine, observer);

        var line = Assert.Single(observer.Lines, l => l.Level == "stdout");
        Assert.Equal(new string('x', 64 * 1024) + CutMarker, line.Message);
        Assert.Equal(TaskInstanceState.Failed, result.FinalState);
        Assert.Null(result.Output);
        Assert.Equal("the last stdout line (the shell task's output) has 52,428,800 characters, more than the output limit of 1 MB: an output is stored "
            + "and passed to every downstream task, so write large results to a file (or an artifact) and make its path the output instead", result.Error);
    }

    [Fact]
    public async Task AFiftyMegabyteLine_FollowedByAShortOne_IsCutInTheLog_AndTheShortOneIsTheOutput()
    {
        var observer = new RecordingObserver();

        var result = await RunAsync($"{FiftyMegabyteLine}; echo done", observer);

        Assert.Equal(TaskInstanceState.Success, result.FinalState);
        Assert.Equal("done", result.Output!.Value.GetString());
        Assert.Equal([64 * 1024 + CutMarker.Length, 4], observer.Lines.Where(l => l.Level == "stdout").Select(l => l.Message.Length));
    }

    [Fact]
    public async Task FiftyMegabytesOfShortLines_KeepTenMegabytesOfLog_AndSayHowManyLinesWereDropped()
    {
        var observer = new RecordingObserver();

        // 2,621,440 lines of 20 characters, 52,428,800 in all, and "end".
        var result = await RunAsync("head -c 52428800 /dev/zero | tr '\\0' x | fold -w 20; echo; echo end", observer);

        var lines = observer.Lines.ToList();
        var stored = lines.Take(lines.Count - 1).ToList();
        var printed = stored.Sum(l => Encoding.UTF8.GetByteCount(l.ToString() + "\n"));
        Assert.InRange(printed, (10 * 1024 * 1024) - 55, 10 * 1024 * 1024); // as full as 55-byte lines can make it
        Assert.All(stored, l => Assert.Equal(("stdout", new string('x', 20)), (l.Level, l.Message)));
        var total = (52428800 / 20) + 1;
        Assert.Equal($"[{total - stored.Count:N0} more lines dropped: this try's log reached its limit of 10 MB]", lines[^1].Message);
        Assert.Equal(lines, result.Tries.Single().Log);
        Assert.Equal("end", result.Output!.Value.GetString()); // the output is tracked past the log's limit
    }

    private static Task<TaskInstanceResult> RunAsync(string command, RecordingObserver observer)
    {
        var task = new TaskDefinition { Id = new TaskId("sh"), Type = "shell", Args = JsonSerializer.SerializeToElement(new { command }) };
        return new TaskInstanceRunner(TaskTypeRegistry.CreateDefault(), TimeProvider.System).RunAllTriesAsync(Requests.For(task), observer, null, CancellationToken.None);
    }
}
