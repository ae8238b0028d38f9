using System.Diagnostics;
using Npgsql;
using Orchestrator.Core.Model;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;

namespace Orchestrator.Engine.Tests;

/// <summary>Two schedulers in separate processes on one PostgreSQL database (ORCHESTRATOR_TEST_POSTGRES, started by
/// eng/test.sh), both creating an hourly DAG's runs with catchup over 300 intervals at the same moment: every logical
/// date exists exactly once and neither process fails. On SQLite writes are serialised and one process cannot show
/// this. Without a server this test fails, as the other PostgreSQL tests do: it is never skipped.</summary>
public sealed class TwoSchedulerProcessesTests : IAsyncLifetime
{
    private const int Hours = 300;

    private readonly string _schema = $"test_{Guid.NewGuid():N}";
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-race-").FullName;

    private static string ConnectionString =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "ORCHESTRATOR_TEST_POSTGRES is not set: run the tests with ./eng/test.sh, which installs and starts PostgreSQL 15 on a free loopback port");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        if (Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES") is { Length: > 0 } connection)
        {
            await using var db = new NpgsqlConnection(connection);
            await db.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE", db);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task TwoProcesses_CatchingUpTheSameDag_CreateEachLogicalDateOnce()
    {
        var connection = ConnectionString;
        var dagFile = Path.Combine(_folder, "race.json");
        await File.WriteAllTextAsync(dagFile, """
            {"id": "race", "schedule": "@hourly", "start": "2026-01-01", "catchup": true, "tasks": [{"id": "t", "type": "empty"}]}
            """);
        // The schema and its tables exist before the processes race (as with a deployed database).
        await (await SqlMetadataStore.OpenAsync(new PostgresDatabase(connection, _schema), TimeProvider.System, default)).DisposeAsync();
        var from = "2026-01-01T00:00:00Z";
        var until = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(Hours - 1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        var schedulers = new[] { Start(connection, dagFile, from, until), Start(connection, dagFile, from, until) };
        foreach (var scheduler in schedulers)
        {
            Assert.Equal("ready", await scheduler.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        }

        foreach (var scheduler in schedulers)
        {
            await scheduler.StandardInput.WriteLineAsync("go");
            await scheduler.StandardInput.FlushAsync();
        }

        var created = new List<int>();
        foreach (var scheduler in schedulers)
        {
            var output = scheduler.StandardOutput.ReadToEndAsync();
            var error = scheduler.StandardError.ReadToEndAsync();
            await scheduler.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
            Assert.True(scheduler.ExitCode == 0, $"a scheduler process failed ({scheduler.ExitCode}): {await error}");
            Assert.Equal("", await error);
            created.Add(int.Parse((await output).Trim(), System.Globalization.CultureInfo.InvariantCulture));
            scheduler.Dispose();
        }

        await using var store = await SqlMetadataStore.OpenAsync(new PostgresDatabase(connection, _schema), TimeProvider.System, default);
        var runs = await store.Runs.ListAsync(new RunQuery(new DagId("race"), Limit: 10 * Hours), default);
        Assert.Equal(Hours, runs.Count);
        Assert.Equal(Hours, runs.Select(r => r.LogicalDate).Distinct().Count());
        Assert.Equal(Hours, created.Sum()); // each run was reported created by exactly one process
    }

    private Process Start(string connection, string dagFile, string from, string until)
    {
        // The helper is built next to this test project: .../tests/X/bin/<Configuration>/<tfm>/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var program = Path.Combine(here.Parent!.Parent!.Parent!.Parent!.FullName, "Orchestrator.SchedulerRace", "bin", here.Parent.Name, here.Name, "Orchestrator.SchedulerRace.dll");
        Assert.True(File.Exists(program), $"{program} is missing: build the solution first");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { program, connection, _schema, dagFile, from, until })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}
