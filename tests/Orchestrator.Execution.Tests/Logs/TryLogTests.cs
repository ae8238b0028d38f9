using Orchestrator.Core.Authoring;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Secrets;
using Orchestrator.Execution.Logs;

namespace Orchestrator.Execution.Tests.Logs;

public sealed class TryLogTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void ALongLine_IsCut_WithAMarkerCountingWhatWasCut_IncludingWhatTheCallerSkipped()
    {
        var forwarded = new List<TaskLogLine>();
        var log = new TryLog(_time, forwarded.Add, new LogLimits { MaxLineChars = 4 });

        log.Write("info", "abcdefgh");
        log.Write("stdout", "abcd", cutChars: 1_000_000);
        log.Write("stdout", "abc", cutChars: 0);
        log.Write("stdout", "ab\U0001F600"); // 4 chars, the last two a surrogate pair: fits
        log.Write("stdout", "abc\U0001F600"); // the pair would be split at 4: cut before it

        Assert.Equal(
            [
                "abcd… [line truncated: 4 more characters]",
                "abcd… [line truncated: 1,000,000 more characters]",
                "abc",
                "ab\U0001F600",
                "abc… [line truncated: 2 more characters]",
            ],
            log.Snapshot().Select(l => l.Message));
        Assert.Equal(log.Snapshot(), forwarded);
    }

    [Fact]
    public void PastTheLogLimit_LinesAreCounted_AndOneLastLineSaysHowMany()
    {
        var forwarded = new List<TaskLogLine>();
        // Each line costs 29 bytes of time and brackets, its level's and its text's UTF-8 bytes.
        var log = new TryLog(_time, forwarded.Add, new LogLimits { MaxTryLogBytes = 80 });

        log.Write("stdout", "1234"); // 29 + 6 + 4 = 39
        log.Write("stdout", "é5"); // 29 + 6 + 3 = 38: 77
        log.Write("info", ""); // 29 + 4 = 33: would make 110, dropped
        log.Write("x", ""); // would fit, but the log is a prefix of what was printed: dropped
        log.Write("stderr", "y");
        var lines = log.Complete();
        log.Complete(); // idempotent

        Assert.Equal(["1234", "é5", "[3 more lines dropped: this try's log reached its limit of 80 bytes]"], lines.Select(l => l.Message));
        Assert.Equal("warning", lines[^1].Level);
        Assert.Equal(3, log.DroppedLines);
        Assert.Equal(lines, forwarded);
        Assert.Equal(lines, log.Snapshot());
    }

    [Fact]
    public void ALogWithinItsLimit_EndsWithoutADroppedLine()
    {
        var log = new TryLog(_time, limits: new LogLimits { MaxTryLogBytes = 39 });

        log.Write("stdout", "1234");

        Assert.Equal(["1234"], log.Complete().Select(l => l.Message));
    }

    [Fact]
    public void EveryLine_IsMaskedBeforeItIsCutCountedOrForwarded()
    {
        var forwarded = new List<TaskLogLine>();
        var log = new TryLog(_time, forwarded.Add, new LogLimits { MaxLineChars = 12 }, new ReplacingMasker("hunter2"));

        log.Write("stdout", "password: hunter2");

        Assert.Equal("password: **… [line truncated: 1 more characters]", Assert.Single(forwarded).Message);
    }

    [Fact]
    public void WithoutKeepLines_LinesAreForwardedButNotHeld()
    {
        var forwarded = new List<TaskLogLine>();
        var log = new TryLog(_time, forwarded.Add, keepLines: false);

        log.Write("stdout", "a");

        Assert.Single(forwarded);
        Assert.Empty(log.Complete());
    }

    private sealed class ReplacingMasker(string secret) : ISecretMasker
    {
        public string Mask(string text) => text.Replace(secret, "***", StringComparison.Ordinal);
    }
}
