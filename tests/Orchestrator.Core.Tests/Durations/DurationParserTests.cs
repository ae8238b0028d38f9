using Orchestrator.Core.Durations;

namespace Orchestrator.Core.Tests.Durations;

public class DurationParserTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData(" 2m ", 120_000)]
    [InlineData("PT30S", 30_000)]
    [InlineData("P1D", 86_400_000)]
    [InlineData("PT1H30M", 5_400_000)]
    public void Parse_ReadsWhatUsersWrite(string text, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), DurationParser.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("5 minutes")]
    [InlineData("-5s")]
    [InlineData("1x")]
    [InlineData("PT")]
    public void Parse_RefusesOtherText_SayingWhatIsExpected(string text)
    {
        var error = Assert.Throws<FormatException>(() => DurationParser.Parse(text));

        Assert.Equal($"'{text}' is not a duration such as \"500ms\", \"30s\", \"5m\", \"1h\", \"1d\", \"1h30m\" or ISO 8601 \"PT30S\"", error.Message);
    }

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(1_500, "1.5s")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(0, "0s")]
    public void Format_IsShort(long milliseconds, string text) =>
        Assert.Equal(text, DurationParser.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
