using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>pools list|get|set|delete</c> on a SQLite store of their own: output (table and JSON), the
/// description kept by a set without <c>--description</c>, and exit codes (2 bad input or unknown, 1 in use).</summary>
public sealed class PoolsCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-pools-cli-").FullName;

    private string File => Path.Combine(_root, "orchestrator.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Set_Get_List_AndDelete_ShowThePoolAndItsUsage()
    {
        var (created, createdOut, _) = await RunAsync("pools", "set", "gpu", "4", "--description", "the A100 boxes");
        var (updated, updatedOut, _) = await RunAsync("pools", "set", "gpu", "3");
        Assert.Equal(0, (await RunAsync("pools", "set", "cpu", "8")).ExitCode);
        await SeedAsync(("a", TaskInstanceState.Running, "gpu", 2), ("b", TaskInstanceState.Scheduled, "gpu", 1));

        var (_, get, _) = await RunAsync("pools", "get", "gpu");
        var (_, json, _) = await RunAsync("pools", "list", "--output", "json");
        var (_, table, _) = await RunAsync("pools", "list");

        Assert.Equal((0, "pool gpu created: gpu: 4 slots, 0 running, 0 queued, 0 waiting, 4 open — the A100 boxes"), (created, createdOut.Trim()));
        Assert.Equal((0, "pool gpu updated: gpu: 3 slots, 0 running, 0 queued, 0 waiting, 3 open — the A100 boxes"), (updated, updatedOut.Trim()));
        Assert.Equal("gpu: 3 slots, 2 running, 0 queued, 1 waiting, 1 open — the A100 boxes", get.Trim());
        using var pools = JsonDocument.Parse(json);
        Assert.Equal(["cpu", "gpu"], pools.RootElement.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(["name", "slots", "description", "updatedAt", "running", "queued", "waiting", "open"], pools.RootElement[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal((3, 2, 1, 1), (pools.RootElement[1].GetProperty("slots").GetInt32(), pools.RootElement[1].GetProperty("running").GetInt32(),
            pools.RootElement[1].GetProperty("waiting").GetInt32(), pools.RootElement[1].GetProperty("open").GetInt32()));
        Assert.Contains("2 pool(s)", table, StringComparison.Ordinal);
        foreach (var column in new[] { "name", "slots", "running", "queued", "waiting", "open", "description", "the A100 boxes" })
        {
            Assert.Contains(column, table, StringComparison.Ordinal);
        }

        var (deleted, deletedOut, _) = await RunAsync("pools", "delete", "cpu");
        Assert.Equal((0, "pool cpu deleted"), (deleted, deletedOut.Trim()));
    }

    [Fact]
    public async Task Delete_OfAPoolInUse_Exits1_SayingWhatHoldsIt()
    {
        Assert.Equal(0, (await RunAsync("pools", "set", "gpu", "4")).ExitCode);
        await SeedAsync(("a", TaskInstanceState.Queued, "gpu", 2));

        var (exit, _, error) = await RunAsync("pools", "delete", "gpu");

        Assert.Equal(1, exit);
        Assert.StartsWith("error: pool 'gpu' is in use: 0 slot(s) held by running task instances, 2 by queued ones", error.Trim(), StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("pools", "get", "gpu")).ExitCode);
    }

    [Theory]
    [InlineData("error: slots must be a whole number from 0 to 100,000, not 'four'", "pools", "set", "gpu", "four")]
    [InlineData("error: slots must be a whole number from 0 to 100,000, not '-1'", "pools", "set", "gpu", "-1")]
    [InlineData("error: slots must be a whole number from 0 to 100,000 (0 admits nothing), not 100001", "pools", "set", "gpu", "100001")]
    [InlineData("error: name must be 1-64 ASCII letters, digits, '_', '-' or '.' (not dots alone), not 'g pu'", "pools", "set", "g pu", "1")]
    [InlineData("error: no pool 'gpu'", "pools", "get", "gpu")]
    [InlineData("error: no pool 'gpu'", "pools", "delete", "gpu")]
    public async Task BadInput_AndUnknownPools_Exit2_NamingWhatIsWrong_AndStoreNothing(string message, params string[] args)
    {
        var (exit, _, error) = await RunAsync(args);
        var (_, list, _) = await RunAsync("pools", "list", "--output", "json");

        Assert.Equal((2, message), (exit, error.Trim()));
        Assert.Equal("[]", list.Trim());
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        CliRunner.RunAsync([.. args, "--storage", $"sqlite:{File}"]);

    private async Task SeedAsync(params (string Task, TaskInstanceState State, string Pool, int Slots)[] tasks)
    {
        var at = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        await using var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(File), TimeProvider.System, default);
        var run = new DagRunRecord(new RunId("r1"), new DagId("flow"), "v1", at, RunType.Manual, DagRunState.Running, "{}", at);
        Assert.True(await store.Runs.CreateAsync(run,
            [.. tasks.Select(t => new TaskInstanceRecord(run.RunId, new TaskId(t.Task), t.State, 1, 1, "default", at, Pool: t.Pool, PoolSlots: t.Slots))], default));
    }
}
