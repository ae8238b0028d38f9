using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;
using Orchestrator.Execution.Shell;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Tests.Shell;

/// <summary>A shell task's environment is clean: the defaults, its try's ORCHESTRATOR_* variables, what the
/// operator allow-lists and what the DAG or task declares; never the engine's own environment.</summary>
public sealed class ShellEnvironmentTests : IDisposable
{
    private static readonly Dictionary<string, string> EngineSecrets = new()
    {
        ["SECRET_TOKEN"] = "tok-3f9a",
        ["ORCHESTRATOR_STORAGE"] = "Host=db;Username=orchestrator;Password=pg-pass",
        ["ORCHESTRATOR_HOME"] = "/srv/orchestrator",
        ["TEAM_BUCKET"] = "s3://team",
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-env-").FullName;

    public ShellEnvironmentTests()
    {
        foreach (var (name, value) in EngineSecrets)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var name in EngineSecrets.Keys)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task TheEnginesEnvironment_NeverReachesATask()
    {
        var env = await EnvOfTaskAsync(new ShellTaskOptions());

        Assert.DoesNotContain("SECRET_TOKEN", env.Keys);
        Assert.DoesNotContain("ORCHESTRATOR_STORAGE", env.Keys);
        Assert.DoesNotContain("ORCHESTRATOR_HOME", env.Keys);
        Assert.DoesNotContain("TEAM_BUCKET", env.Keys);
        Assert.DoesNotContain(env.Values, v => v.Contains("pg-pass", StringComparison.Ordinal) || v.Contains("tok-3f9a", StringComparison.Ordinal));
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), env["PATH"]);
        Assert.True(env.ContainsKey("HOME"));
        Assert.True(env.ContainsKey("LANG"));
        Assert.Equal("manual__1", env["ORCHESTRATOR_RUN_ID"]);
        Assert.Equal("sh", env["ORCHESTRATOR_TASK_ID"]);
    }

    [Fact]
    public async Task AllowListedNamesAndPrefixes_Reach_ButNeverTheEnginesOwnConfiguration()
    {
        var env = await EnvOfTaskAsync(ShellTaskOptions.FromEnvironment("SECRET_TOKEN, TEAM_*,ORCHESTRATOR_*,ORCHESTRATOR_STORAGE,*"));

        Assert.Equal("tok-3f9a", env["SECRET_TOKEN"]);
        Assert.Equal("s3://team", env["TEAM_BUCKET"]);
        Assert.DoesNotContain("ORCHESTRATOR_STORAGE", env.Keys);
        Assert.DoesNotContain("ORCHESTRATOR_HOME", env.Keys);
    }

    [Fact]
    public async Task TheTrysVariables_DescribeItsRunAndDataInterval()
    {
        var env = await EnvOfTaskAsync(new ShellTaskOptions());

        Assert.Equal("test_dag", env["ORCHESTRATOR_DAG_ID"]);
        Assert.Equal("1", env["ORCHESTRATOR_TRY_NUMBER"]);
        Assert.Equal("2026-01-02T00:00:00.0000000+00:00", env["ORCHESTRATOR_LOGICAL_DATE"]);
        Assert.Equal("2026-01-01T00:00:00.0000000+00:00", env["ORCHESTRATOR_DATA_INTERVAL_START"]);
        Assert.Equal("2026-01-02T00:00:00.0000000+00:00", env["ORCHESTRATOR_DATA_INTERVAL_END"]);
        Assert.Equal("2026-01-01T00:00:00+00:00..2026-01-02T00:00:00+00:00", env["INTERVAL"]);
    }

    [Theory]
    [InlineData("", "PATH", false)]
    [InlineData("A, B ,C_*", "B", true)]
    [InlineData("A,B,C_*", "C_X", true)]
    [InlineData("A,B,C_*", "C", false)]
    [InlineData("A,B,C_*", "a", false)]
    [InlineData("*", "ANYTHING", true)]
    [InlineData("*", "ORCHESTRATOR_STORAGE", false)]
    [InlineData("ORCHESTRATOR_HOME", "ORCHESTRATOR_HOME", false)]
    [InlineData("orchestrator_*", "orchestrator_storage", false)]
    public void AllowList(string list, string name, bool allowed) =>
        Assert.Equal(allowed, ShellTaskOptions.FromEnvironment(list).Allows(name));

    /// <summary>Runs <c>env -0</c> in a shell task and returns what it saw.</summary>
    private async Task<Dictionary<string, string>> EnvOfTaskAsync(ShellTaskOptions options)
    {
        var file = Path.Combine(_folder, "env");
        var args = JsonSerializer.SerializeToElement(new
        {
            command = $"env -0 > {file}",
            env = new { INTERVAL = "{{ run.dataIntervalStart }}..{{ run.dataIntervalEnd }}" },
        });
        var task = new TaskDefinition { Id = new TaskId("sh"), Type = "shell", Args = args };
        var logicalDate = new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero);
        var request = new TryRequest
        {
            Run = Requests.Run(_folder) with { LogicalDate = logicalDate, DataInterval = new DataInterval(logicalDate.AddDays(-1), logicalDate) },
            Task = task,
        };

        var result = await new TaskInstanceRunner(TaskTypeRegistry.CreateDefault(options), TimeProvider.System)
            .RunAllTriesAsync(request, NullTryObserver.Instance, null, CancellationToken.None);

        Assert.Null(result.Error);
        return (await File.ReadAllTextAsync(file)).Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
    }
}
