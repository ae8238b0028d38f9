using Orchestrator.Core.Alerts;

namespace Orchestrator.Core.Tests.Alerts;

public class CallbackMessageTests
{
    [Theory]
    [InlineData("plain text", null)]
    [InlineData("{{ dag.id }} {{run.id}} {{ task.id }} {{ task.tryNumber }} {{ reason }}", null)]
    [InlineData("{{ conn.ops.password }}", "unknown placeholder '{{ conn.ops.password }}'")]
    [InlineData("ok {{ run.id }} then {{ params.x }}", "unknown placeholder '{{ params.x }}'")]
    public void Explain_AcceptsOnlyTheFixedPlaceholders(string message, string? problem)
    {
        var explained = CallbackMessage.Explain(message);

        if (problem is null)
        {
            Assert.Null(explained);
        }
        else
        {
            Assert.StartsWith(problem, explained, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_SubstitutesKnownValues_AbsentAsEmpty()
    {
        var values = new Dictionary<string, string?> { ["run.id"] = "r1", ["reason"] = null };

        Assert.Equal("run r1 failed: . {{ other }}", CallbackMessage.Render("run {{run.id}} failed: {{ reason }}. {{ other }}", values));
    }
}
