using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.Secrets;
using Orchestrator.Core.States;
using Orchestrator.Execution.Shell;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Tests.Shell;

/// <summary>The attacks of issue 8, run through a real shell task: a value a template inserts (conf, an upstream
/// output, a variable) is data, whatever quotes the author wrote around it.</summary>
public sealed class ShellInjectionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-inject-").FullName;

    private string Marker => Path.Combine(_folder, "p");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ConfWithCommandSeparator_Unquoted_IsPrintedNotRun()
    {
        var name = $"x; id > {Marker}";

        var result = await RunAsync("echo hello {{ params.name }}", Params("name", name));

        Assert.Equal(TaskInstanceState.Success, result.FinalState);
        Assert.Equal($"hello {name}", result.Output!.Value.GetString());
        Assert.False(File.Exists(Marker), "the value ran as a command");
    }

    [Fact]
    public async Task ConfClosingSingleQuotes_IsPrintedNotRun()
    {
        var name = $"'; touch {Marker}; '";

        var result = await RunAsync("echo 'hello {{ params.name }}'", Params("name", name));

        Assert.Equal($"hello {name}", result.Output!.Value.GetString());
        Assert.False(File.Exists(Marker), "the value ran as a command");
    }

    [Fact]
    public async Task UpstreamOutputWithCommandSubstitution_IsPrintedNotRun()
    {
        var value = $"a$(touch {Marker})b";
        var outputs = new Dictionary<TaskId, JsonElement> { [new TaskId("up")] = JsonSerializer.SerializeToElement(new { v = value }) };

        var result = await RunAsync("echo {{ outputs.up.v }}", outputs: outputs);

        Assert.Equal(value, result.Output!.Value.GetString());
        Assert.False(File.Exists(Marker), "the value ran as a command");
    }

    [Fact]
    public async Task DoubleQuotedValueWithBackticksAndDollar_IsPrintedNotRun()
    {
        var name = $"\"`touch {Marker}`$(touch {Marker})\"";

        var result = await RunAsync("echo \"<{{ params.name }}>\"", Params("name", name));

        Assert.Equal($"<{name}>", result.Output!.Value.GetString());
        Assert.False(File.Exists(Marker), "the value ran as a command");
    }

    [Fact]
    public async Task Variables_AreDataToo()
    {
        var result = await RunAsync("echo {{ var.path }}", secrets: new OneVariable("path", $"/data; touch {Marker}"));

        Assert.Equal($"/data; touch {Marker}", result.Output!.Value.GetString());
        Assert.False(File.Exists(Marker), "the variable ran as a command");
    }

    [Fact]
    public async Task Raw_IsTheAuthorsExplicitChoice()
    {
        var result = await RunAsync("{{ params.cmd | raw }} {{ params.cmd }}", Params("cmd", "echo one;echo two"));

        Assert.Equal("one", Assert.Single(result.Tries).Log.Where(l => l.Level == "stdout").Select(l => l.Message).First());
        Assert.Equal("two echo one;echo two", result.Output!.Value.GetString());
    }

    [Fact]
    public async Task ATemplateInAnArithmeticExpression_FailsTheTry_NamingIt()
    {
        var result = await RunAsync("echo $(( {{ params.n }} + 1 ))", Params("n", "a[$(touch " + Marker + ")]"));

        Assert.Equal(TaskInstanceState.Failed, result.FinalState);
        Assert.StartsWith("template '{{ params.n }}' at character 10 of the shell command is inside an arithmetic expression", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public async Task TaskEnv_CannotShadowATemplateValue()
    {
        var result = await RunAsync("echo {{ params.name }}", Params("name", "safe"),
            env: new Dictionary<string, string> { ["ORCHESTRATOR_TEMPLATE_1"] = "$(touch " + Marker + ")" });

        Assert.Equal("safe", result.Output!.Value.GetString());
    }

    /// <summary>bash evaluates array subscripts as arithmetic, and arithmetic runs $(…) inside a[…]: found by an
    /// attacker on the first version of the quoting check.</summary>
    [Theory]
    [InlineData("arr=(); arr[{{ params.name }}]=1; echo done")]
    [InlineData("declare -a arr; arr[{{ params.name }}]=1; echo done")]
    [InlineData("arr=([{{ params.name }}]=1); echo done")]
    [InlineData("(\\\n( {{ params.name }} + 1 )); echo done")]
    [InlineData("echo $(\\\n( {{ params.name }} + 1 ))")]
    public async Task AValueInAnArraySubscriptOrAContinuedArithmeticLine_IsRefused_NotRun(string written)
    {
        var name = $"a[$(touch {Marker})]";

        var result = await RunAsync(written, Params("name", name));

        Assert.Equal(TaskInstanceState.Failed, result.FinalState);
        Assert.Contains("args.env", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Marker), "the value ran as a command");
    }

    /// <summary>Where the first quoting lexer read a command differently from bash 5.2 (a second attacker's finds).</summary>
    [Theory]
    [InlineData("# note \\\n{{ params.name }}")]
    [InlineData("echo hi # note \\\n{{ params.name }}")]
    [InlineData("cat <<$(echo x)\n$(echo x)\n{{ params.name }}\n$\n")]
    [InlineData("cat <<$((1))\n$((1))\n{{ params.name }}\n$\n")]
    [InlineData("cat <<EOF; echo $(\n{{ params.name }}\nEOF\necho hi)\n")]
    [InlineData("cat <<EOF; cat <(\n{{ params.name }}\nEOF\necho hi)\n")]
    [InlineData("echo $(( $(printf %s {{ params.name }}) + 1 ))")]
    [InlineData("echo $(( `printf %s {{ params.name }}` + 1 ))")]
    [InlineData("a[$(printf %s {{ params.name }})]=1")]
    public async Task ACommandTheLexerCouldMisread_NeverRunsTheValue(string written)
    {
        foreach (var value in new[] { $"touch {Marker}", $"a[$(touch {Marker})]" })
        {
            await RunAsync(written, Params("name", value));

            Assert.False(File.Exists(Marker), $"the value ran as a command: {value}");
        }
    }

    [Fact]
    public async Task AValueInsideDoubleBrackets_IsData()
    {
        var result = await RunAsync("[[ {{ params.name }} == 'x; y' ]] && echo same", Params("name", "x; y"));

        Assert.Equal("same", result.Output!.Value.GetString());
    }

    [Fact]
    public async Task ARawParam_TakesTheDagsOwnValue_ButAConfOverrideFailsTheTry()
    {
        var own = new Dictionary<string, JsonElement> { ["flags"] = JsonSerializer.SerializeToElement("-n") };

        var trusted = await RunAsync("echo {{ params.flags | raw }} x", own, dagParams: own);
        var overridden = await RunAsync("echo {{ params.flags | raw }} x", Params("flags", $"; touch {Marker}"), dagParams: own);

        Assert.Equal("x", trusted.Output!.Value.GetString());
        Assert.Equal(TaskInstanceState.Failed, overridden.FinalState);
        Assert.Contains("takes only the value written in the DAG", overridden.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Marker), "the conf's value ran as a command");
    }

    private static Dictionary<string, JsonElement> Params(string name, string value) =>
        new() { [name] = JsonSerializer.SerializeToElement(value) };

    private async Task<TaskInstanceResult> RunAsync(
        string command,
        Dictionary<string, JsonElement>? parameters = null,
        Dictionary<TaskId, JsonElement>? outputs = null,
        ISecretValues? secrets = null,
        Dictionary<string, string>? env = null,
        Dictionary<string, JsonElement>? dagParams = null)
    {
        var args = JsonSerializer.SerializeToElement(new { command, env = env ?? [] });
        var task = new TaskDefinition { Id = new TaskId("sh"), Type = "shell", Args = args };
        var request = new TryRequest
        {
            Run = new RunContext
            {
                DagId = new DagId("d"),
                RunId = new RunId("manual__1"),
                LogicalDate = DateTimeOffset.UnixEpoch,
                Params = parameters ?? [],
                Outputs = outputs ?? [],
                DagFolder = _folder,
                Secrets = secrets is null ? null : new FixedSecrets(secrets),
                DagParams = dagParams,
            },
            Task = task,
        };
        var runner = new TaskInstanceRunner(TaskTypeRegistry.CreateDefault(new ShellTaskOptions()), TimeProvider.System);
        return await runner.RunAllTriesAsync(request, NullTryObserver.Instance, null, CancellationToken.None);
    }

    private sealed class OneVariable(string name, string value) : ISecretValues
    {
        public string? GetVariable(string n) => n == name ? value : null;

        public ConnectionValues? GetConnection(string n) => null;
    }

    /// <summary>The same values for every try, and no masking: what these tests look at is the command.</summary>
    private sealed class FixedSecrets(ISecretValues values) : ITrySecretsSource
    {
        public Task<TrySecrets> ForTryAsync(TaskDefinition task, IReadOnlyDictionary<string, JsonElement> parameters, CancellationToken cancellationToken) =>
            Task.FromResult(new TrySecrets(values, NoSecretMasker.Instance));
    }
}
