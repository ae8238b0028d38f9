using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Templating;

namespace Orchestrator.Core.Tests.Templating;

public class TemplateRendererTests
{
    private static readonly DateTimeOffset LogicalDate = new(2026, 1, 2, 3, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("{{ params.minR2 }}", "0.7")]
    [InlineData("{{params.name}}!", "taxi!")]
    [InlineData("rows={{ outputs.extract.rows }}", "rows=42")]
    [InlineData("{{ outputs.extract }}", "{\"rows\":42,\"tables\":[\"a\",\"b\"]}")]
    [InlineData("{{ outputs.extract.tables }}", "[\"a\",\"b\"]")]
    [InlineData("{{ outputs.extract.tables.1 }}", "b")]
    [InlineData("{{ outputs.say }}", "hello")]
    [InlineData("{{ run.id }} {{ run.dagId }} {{ run.logicalDate }}", "manual__1 etl 2026-01-02T03:00:00+00:00")]
    [InlineData("{{ task.id }}#{{ task.tryNumber }}", "load#2")]
    [InlineData("no templates", "no templates")]
    public void RenderString_Substitutes(string template, string expected) =>
        Assert.Equal(expected, TemplateRenderer.RenderString(template, CreateScope()));

    [Theory]
    [InlineData("{{ params.missing }}", "{{ params.missing }}: no param 'missing'; known params: minR2, name")]
    [InlineData("{{ outputs.train }}", "{{ outputs.train }}: task 'train' has no output in this run (did it run and print one?)")]
    [InlineData("{{ outputs.extract.cols }}", "{{ outputs.extract.cols }}: 'cols' not found in {\"rows\":42,\"tables\":[\"a\",\"b\"]}")]
    [InlineData("{{ conf.x }}", "template '{{ conf.x }}' refers to unknown 'conf'; expected params, outputs, run, task, var or conn")]
    [InlineData("{{ run.date }}", "template '{{ run.date }}': run has the fields id, logicalDate, dagId, dataIntervalStart, dataIntervalEnd")]
    [InlineData("{{ params }}", "template '{{ params }}' must read {{ params.NAME }}, {{ outputs.TASK_ID }}, {{ run.FIELD }}, {{ task.FIELD }}, {{ var.NAME }} or {{ conn.NAME.FIELD }}")]
    public void RenderString_ExplainsWhatIsMissing(string template, string message) =>
        Assert.Equal(message, Assert.Throws<TemplateException>(() => TemplateRenderer.RenderString(template, CreateScope())).Message);

    [Fact]
    public void Render_WalksNestedArgs_AndKeepsNonStrings()
    {
        using var args = JsonDocument.Parse("""{"cmd": "echo {{ params.name }}", "n": 3, "list": ["{{ run.id }}", true], "nested": {"x": "{{ params.minR2 }}"}}""");

        var rendered = TemplateRenderer.Render(args.RootElement, CreateScope());

        Assert.Equal("""{"cmd":"echo taxi","n":3,"list":["manual__1",true],"nested":{"x":"0.7"}}""", rendered.GetRawText());
    }

    private static TemplateScope CreateScope() => new(
        new DagId("etl"),
        new RunId("manual__1"),
        LogicalDate,
        new TaskId("load"),
        2,
        new Dictionary<string, JsonElement>
        {
            ["minR2"] = JsonSerializer.SerializeToElement(0.7),
            ["name"] = JsonSerializer.SerializeToElement("taxi"),
        },
        new Dictionary<TaskId, JsonElement>
        {
            [new TaskId("extract")] = JsonDocument.Parse("""{ "rows": 42, "tables": ["a", "b"] }""").RootElement,
            [new TaskId("say")] = JsonSerializer.SerializeToElement("hello"),
        });
}
