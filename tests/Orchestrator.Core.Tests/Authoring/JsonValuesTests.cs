using Orchestrator.Core.Model;

namespace Orchestrator.Core.Tests.Authoring;

public class JsonValuesTests
{
    private enum Level
    {
        High,
    }

    [Fact]
    public void Objects_AreWrittenWithTheirPropertyNamesAsDeclared()
    {
        var value = new
        {
            Path = "data/x.csv",
            Rows = 3L,
            Ratio = 0.25,
            Nan = double.NaN,
            Tags = new[] { "a", "b" },
            Map = new Dictionary<string, int> { ["k"] = 1 },
            Level = Level.High,
            At = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Nothing = (string?)null,
        };

        Assert.Equal(
            """{"Path":"data/x.csv","Rows":3,"Ratio":0.25,"Nan":null,"Tags":["a","b"],"Map":{"k":1},"Level":"High","At":"2026-01-01T00:00:00+00:00","Nothing":null}""",
            JsonValues.FromObject(value).GetRawText());
    }

    [Fact]
    public void Scalars_AreThemselves()
    {
        Assert.Equal("\"text\"", JsonValues.FromObject("text").GetRawText());
        Assert.Equal("42", JsonValues.FromObject(42).GetRawText());
        Assert.Equal("null", JsonValues.FromObject(null).GetRawText());
    }
}
