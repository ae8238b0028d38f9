using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary>A service a test registers in the CLI's host, for task classes compiled from a dags/*.cs file.</summary>
public interface IFareTable
{
    double BaseFare { get; }
}

public sealed class DagsTestServicesTests : IDisposable
{
    private const string ServedDag = """
        using Orchestrator.Cli.Tests.Commands;

        public sealed class ServedDag : IDagDefinition
        {
            public void Define(DagBuilder dag)
            {
                dag.Task<QuoteTask>("quote").WithArgs(new { km = "{{ params.km }}" });
                dag.Param("km", 3);
            }
        }

        public sealed class QuoteTask(TimeProvider time, IFareTable fares) : IDagTask
        {
            public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
                Task.FromResult<object?>(new { fare = fares.BaseFare * context.Args.RequireNumber("km"), year = time.GetUtcNow().Year });
        }
        """;

    private const string SkippingDag = """
        public sealed class GatedDag : IDagDefinition
        {
            public void Define(DagBuilder dag)
            {
                var gate = dag.Task<GateTask>("gate");
                dag.Shell("deploy", "echo deployed").DependsOn(gate);
                dag.Shell("report", "echo reported").DependsOn(gate).TriggerRule(TriggerRule.NoneFailed);
            }
        }

        public sealed class GateTask : IDagTask
        {
            public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
                throw new TaskSkippedException("the candidate is not blessed");
        }
        """;

    private const string FailNowDag = """
        public sealed class FailNowDag : IDagDefinition
        {
            public void Define(DagBuilder dag) => dag.Task<RegionTask>("upload").Retries(3, "1h");
        }

        public sealed class RegionTask : IDagTask
        {
            public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
                throw new TaskFailedNoRetryException("unknown region 'mars'");
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-cli-services-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task TaskClass_GetsTimeProviderAndARegisteredService()
    {
        var (exit, output, error) = await RunAsync(ServedDag, services => services.AddSingleton<IFareTable>(new FareTable(2.5)));

        Assert.True(exit == 0, error);
        var quote = Task(output, "quote");
        Assert.Equal("success", quote.GetProperty("state").GetString());
        var stored = await StoredOutputAsync("quote");
        Assert.Equal(7.5, stored.GetProperty("fare").GetDouble());
        Assert.Equal(TimeProvider.System.GetUtcNow().Year, stored.GetProperty("year").GetInt32());
    }

    [Fact]
    public async Task TaskClass_AskingForAnUnregisteredService_FailsWithTheClassAndParameterNamed()
    {
        var (exit, output, error) = await RunAsync(ServedDag, configure: null);

        Assert.Equal(1, exit);
        Assert.Equal("failed", Task(output, "quote").GetProperty("state").GetString());
        Assert.Contains("cannot create QuoteTask: its constructor parameter 'fares' (IFareTable) is not a registered service", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SkippedTask_ExitsZero_ShowsSkipped_AndIsRecorded()
    {
        var (exit, output, error) = await RunAsync(SkippingDag, configure: null);

        Assert.True(exit == 0, error);
        Assert.Equal("success", JsonDocument.Parse(output).RootElement.GetProperty("state").GetString());
        Assert.Equal(("skipped", 1), (Task(output, "gate").GetProperty("state").GetString(), Task(output, "gate").GetProperty("tries").GetInt32()));
        Assert.Equal("skipped", Task(output, "deploy").GetProperty("state").GetString());
        Assert.Equal("success", Task(output, "report").GetProperty("state").GetString());
        Assert.Contains("skipped: the candidate is not blessed", error, StringComparison.Ordinal); // the try's log line

        var (logsExit, logs, _) = await CliRunner.RunAsync("tasks", "logs", RunId(output), "gate", "--home", Home);
        Assert.Equal(0, logsExit);
        Assert.Contains("skipped: the candidate is not blessed", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailNowTask_RunsOnce_DespiteRetries_AndTheRecordedReasonSaysWhy()
    {
        // With a 1 h retry delay, a wrongful retry would hang the test rather than pass it.
        var (exit, output, _) = await RunAsync(FailNowDag, configure: null);

        Assert.Equal(1, exit);
        Assert.Equal(("failed", 1), (Task(output, "upload").GetProperty("state").GetString(), Task(output, "upload").GetProperty("tries").GetInt32()));
        await using var store = await Storage.Sql.SqlMetadataStore.OpenAsync(
            new Storage.Sqlite.SqliteDatabase(Path.Combine(Home, "orchestrator.db")), TimeProvider.System, default);
        var history = await store.TaskInstances.HistoryAsync(new Core.Model.RunId(RunId(output)), new Core.Model.TaskId("upload"), default);
        Assert.Equal("unknown region 'mars'; not retried (3 retries left): a configuration error, which another try cannot change", history[^1].Reason);
    }

    private string Home => Path.Combine(_folder, "home");

    private async Task<(int Exit, string Output, string Error)> RunAsync(string source, Action<IServiceCollection>? configure)
    {
        var dags = Directory.CreateDirectory(Path.Combine(_folder, "dags")).FullName;
        var file = Path.Combine(dags, "dag.cs");
        await File.WriteAllTextAsync(file, source);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.RunAsync(["dags", "test", file, "--output", "json", "--home", Home], output, error, configure);
        _lastOutput = output.ToString();
        return (exit, output.ToString(), error.ToString());
    }

    private string _lastOutput = "";

    private static string RunId(string output) => JsonDocument.Parse(output).RootElement.GetProperty("runId").GetString()!;

    private static JsonElement Task(string output, string taskId) =>
        JsonDocument.Parse(output).RootElement.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("taskId").GetString() == taskId).Clone();

    private async Task<JsonElement> StoredOutputAsync(string taskId)
    {
        await using var store = await Storage.Sql.SqlMetadataStore.OpenAsync(
            new Storage.Sqlite.SqliteDatabase(Path.Combine(Home, "orchestrator.db")), TimeProvider.System, default);
        var outputs = await store.Outputs.GetAllAsync(new Core.Model.RunId(RunId(_lastOutput)), default);
        return JsonDocument.Parse(outputs[new Core.Model.TaskId(taskId)]).RootElement.Clone();
    }

    private sealed record FareTable(double BaseFare) : IFareTable;
}
