using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Templating;

namespace Orchestrator.Core.Tests.Templating;

public class ShellTemplateTests
{
    private const string Attack = "x; id > /tmp/p";

    [Theory]
    [InlineData("echo hello {{ params.name }}", "echo hello \"${ORCHESTRATOR_TEMPLATE_1}\"")]
    [InlineData("echo 'hello {{ params.name }}'", "echo 'hello '\"${ORCHESTRATOR_TEMPLATE_1}\"''")]
    [InlineData("echo \"hello {{ params.name }}\"", "echo \"hello ${ORCHESTRATOR_TEMPLATE_1}\"")]
    [InlineData("echo $'hello {{ params.name }}'", "echo $'hello '\"${ORCHESTRATOR_TEMPLATE_1}\"$''")]
    [InlineData("cat <<EOF\n{{ params.name }}\nEOF", "cat <<EOF\n${ORCHESTRATOR_TEMPLATE_1}\nEOF")]
    [InlineData("echo {{ run.id }} {{ params.name }}", "echo \"${ORCHESTRATOR_TEMPLATE_1}\" \"${ORCHESTRATOR_TEMPLATE_2}\"")]
    public void Values_BecomeReferences_NeverText(string command, string expected)
    {
        var rendered = ShellTemplate.Render(command, Scope());

        Assert.Equal(expected, rendered.Command);
        Assert.DoesNotContain(Attack, rendered.Command, StringComparison.Ordinal);
        Assert.Equal(Attack, rendered.Environment["ORCHESTRATOR_TEMPLATE_" + rendered.Environment.Count]);
    }

    [Fact]
    public void Raw_InsertsTheTextItself()
    {
        var rendered = ShellTemplate.Render("{{ params.flags | raw }} {{ params.name }}", Scope());

        Assert.Equal("-v --color \"${ORCHESTRATOR_TEMPLATE_1}\"", rendered.Command);
        Assert.Equal(["ORCHESTRATOR_TEMPLATE_1"], rendered.Environment.Keys);
    }

    [Fact]
    public void NoTemplates_NoVariables() =>
        Assert.Equal(new RenderedShellCommand("echo ${HOME}", new Dictionary<string, string>()).Command,
            ShellTemplate.Render("echo ${HOME}", Scope()).Command);

    [Theory]
    [InlineData("echo $(( {{ params.name }} ))", "template '{{ params.name }}' at character 10 of the shell command is inside an arithmetic expression")]
    [InlineData("cat <<'EOF'\n{{ params.name }}\nEOF", "template '{{ params.name }}' at character 13 of the shell command is inside a quoted here-document")]
    [InlineData("echo \"{{ params.name }}", "the shell command it has an unterminated double quote (\"), so where its templates sit cannot be told")]
    [InlineData("echo {{ params.missing }}", "{{ params.missing }}: no param 'missing'")]
    [InlineData("echo {{ params.nul }}", "{{ params.nul }}: the value contains a NUL character")]
    [InlineData("echo {{ params.huge }}", "{{ params.huge }}: the value is 140025 bytes, more than the 128 KiB")]
    public void Refuses_WhatCannotBeSafe(string command, string message) =>
        Assert.StartsWith(message, Assert.Throws<TemplateException>(() => ShellTemplate.Render(command, Scope())).Message, StringComparison.Ordinal);

    [Fact]
    public void Check_ReportsPlacesOnly_NotSyntax()
    {
        var errors = new List<string>();

        ShellTemplate.Check("echo ${x:-{{ params.a }}} {{ nope.b }} $(( {{ params.c | raw }} )) '{{ params.d }}'", errors);

        Assert.Equal(["template '{{ params.a }}' at character 11 of the shell command is inside ${…}, where bash reads text as a name, a pattern or a number; pass the value in args.env and write ${NAME…}"], errors);
    }

    private static TemplateScope Scope() => new(
        new DagId("etl"),
        new RunId(Attack),
        DateTimeOffset.UnixEpoch,
        new TaskId("t"),
        1,
        new Dictionary<string, JsonElement>
        {
            ["name"] = JsonSerializer.SerializeToElement(Attack),
            ["flags"] = JsonSerializer.SerializeToElement("-v --color"),
            ["nul"] = JsonSerializer.SerializeToElement("a\0b"),
            ["huge"] = JsonSerializer.SerializeToElement(new string('x', 140_000)),
        },
        new Dictionary<TaskId, JsonElement>());
}
