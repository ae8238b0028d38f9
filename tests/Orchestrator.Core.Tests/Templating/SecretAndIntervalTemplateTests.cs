using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Secrets;
using Orchestrator.Core.Templating;

namespace Orchestrator.Core.Tests.Templating;

public class SecretAndIntervalTemplateTests
{
    private static readonly DateTimeOffset LogicalDate = new(2026, 3, 29, 2, 30, 0, TimeSpan.FromHours(2));

    [Theory]
    [InlineData("{{ var.region }}", "eu-west-1")]
    [InlineData("{{ var.empty }}", "")]
    [InlineData("{{ conn.warehouse.type }}", "postgres")]
    [InlineData("{{ conn.warehouse.host }}:{{ conn.warehouse.port }}", "db.internal:5432")]
    [InlineData("{{ conn.warehouse.login }}/{{ conn.warehouse.password }}@{{ conn.warehouse.schema }}", "etl/s3cr3t@sales")]
    [InlineData("{{ conn.warehouse.extra.sslmode }}", "require")]
    [InlineData("[{{ conn.bare.host }}][{{ conn.bare.port }}][{{ conn.bare.password }}]", "[][][]")]
    [InlineData("{{ run.dataIntervalStart }}/{{ run.dataIntervalEnd }}", "2026-03-28T02:30:00+02:00/2026-03-29T02:30:00+02:00")]
    [InlineData("{{ params.name | raw }}-{{params.name|raw}}", "taxi-taxi")]
    public void Renders(string template, string expected) =>
        Assert.Equal(expected, TemplateRenderer.RenderString(template, Scope()));

    [Fact]
    public void DataInterval_DefaultsToTheLogicalDate()
    {
        var scope = Scope() with { };
        var plain = new TemplateScope(scope.DagId, scope.RunId, LogicalDate, scope.TaskId, 1, scope.Params, scope.Outputs);

        Assert.Equal("2026-03-29T02:30:00+02:00 2026-03-29T02:30:00+02:00",
            TemplateRenderer.RenderString("{{ run.dataIntervalStart }} {{ run.dataIntervalEnd }}", plain));
    }

    [Theory]
    [InlineData("{{ var.missing }}", "{{ var.missing }}: no variable 'missing' (set it with 'variables set missing VALUE')")]
    [InlineData("{{ conn.nope.host }}", "{{ conn.nope.host }}: no connection 'nope' (add it with 'connections add nope …')")]
    [InlineData("{{ conn.warehouse.extra.region }}", "{{ conn.warehouse.extra.region }}: connection 'warehouse' has no extra 'region'; its extras: sslmode")]
    [InlineData("{{ conn.bare.extra.x }}", "{{ conn.bare.extra.x }}: connection 'bare' has no extra 'x'; its extras: (none)")]
    [InlineData("{{ conn.warehouse }}", "template '{{ conn.warehouse }}' must read {{ conn.NAME.FIELD }} with FIELD one of type, host, port, login, password, schema, extra.KEY")]
    [InlineData("{{ conn.warehouse.secret }}", "template '{{ conn.warehouse.secret }}' must read {{ conn.NAME.FIELD }} with FIELD one of type, host, port, login, password, schema, extra.KEY")]
    [InlineData("{{ var.a.b }}", "template '{{ var.a.b }}' must read {{ var.NAME }}")]
    [InlineData("{{ params.name | upper }}", "template '{{ params.name | upper }}' uses unknown filter 'upper'; known filters: raw")]
    [InlineData("{{ params.name | }}", "template '{{ params.name | }}' has an empty filter after '|'; known filters: raw")]
    [InlineData("{{ run.interval }}", "template '{{ run.interval }}': run has the fields id, logicalDate, dagId, dataIntervalStart, dataIntervalEnd")]
    [InlineData("{{ vars.x }}", "template '{{ vars.x }}' refers to unknown 'vars'; expected params, outputs, run, task, var or conn")]
    public void ExplainsWhatIsWrong(string template, string message) =>
        Assert.Equal(message, Assert.Throws<TemplateException>(() => TemplateRenderer.RenderString(template, Scope())).Message);

    [Fact]
    public void Parser_KeepsTheRawFilter()
    {
        var parsed = TemplateParser.Parse("a {{ params.flags | raw }} {{ var.x }}", []);

        Assert.True(parsed[0].Raw);
        Assert.Equal("{{ params.flags | raw }}", parsed[0].ToString());
        Assert.False(parsed[1].Raw);
        Assert.Equal("{{ var.x }}", parsed[1].ToString());
    }

    [Theory]
    [InlineData("{{ outputs.up.rows | raw }}", "outputs")]
    [InlineData("{{ var.api_key | raw }}", "var")]
    [InlineData("{{ conn.db.password | raw }}", "conn")]
    public void RawOnValuesWrittenAtRunTime_IsAnError(string template, string root)
    {
        var errors = new List<string>();

        Assert.Empty(TemplateParser.Parse(template, errors));

        Assert.Equal(
            $"template '{template}': '| raw' takes only a DAG's own params and run or task fields (trusted values fixed when the DAG is written); {root} values are data: refer to them without '| raw'",
            Assert.Single(errors));
    }

    private static TemplateScope Scope() => new(
        new DagId("etl"),
        new RunId("scheduled__1"),
        LogicalDate,
        new TaskId("load"),
        1,
        new Dictionary<string, JsonElement> { ["name"] = JsonSerializer.SerializeToElement("taxi") },
        new Dictionary<TaskId, JsonElement>())
    {
        DataIntervalStart = LogicalDate.AddDays(-1),
        DataIntervalEnd = LogicalDate,
        Secrets = new FixedSecrets(),
    };

    private sealed class FixedSecrets : ISecretValues
    {
        public string? GetVariable(string name) => name switch
        {
            "region" => "eu-west-1",
            "empty" => "",
            _ => null,
        };

        public ConnectionValues? GetConnection(string name) => name switch
        {
            "warehouse" => new ConnectionValues("postgres", "db.internal", 5432, "etl", "s3cr3t", "sales",
                new Dictionary<string, string> { ["sslmode"] = "require" }),
            "bare" => new ConnectionValues("http"),
            _ => null,
        };
    }
}
