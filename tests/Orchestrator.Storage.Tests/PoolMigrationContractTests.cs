using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests;

/// <summary>Migration 013 on a store built by scripts 001–012 with task instances in it: they are kept, as tasks
/// without a pool taking one slot at weight 1, and the store admits and counts as any other.</summary>
public abstract partial class PoolMigrationContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A new handle on this test's (empty) database each call.</summary>
    protected abstract SqlDatabase Database();

    protected abstract Task DropAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => DropAsync();

    [Fact]
    public async Task Migration13_KeepsTheTaskInstancesOfAStoreAtVersion12()
    {
        var database = Database();
        await using (var connection = await database.OpenAsync(default))
        {
            await database.PrepareAsync(connection, default);
            await connection.ExecuteAsync("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)");
            foreach (var (version, sql) in Scripts(database).Where(s => s.Version <= 12))
            {
                await connection.ExecuteAsync(sql);
                await connection.ExecuteAsync("INSERT INTO schema_migrations (version, applied_at) VALUES (@version, 0)", new { version = (long)version });
            }

            var at = T0.ToUnixTimeMilliseconds();
            await connection.ExecuteAsync($$"""
                INSERT INTO dag_runs (run_id, dag_id, dag_version, logical_date, run_type, state, conf, created_at)
                VALUES ('r1', 'etl', 'v1', {{at}}, 'manual', 'running', '{}', {{at}});
                INSERT INTO task_instances (run_id, task_id, state, try_number, max_tries, queue, updated_at, state_reason)
                VALUES ('r1', 'extract', 'success', 1, 3, 'default', {{at}}, 'done'),
                       ('r1', 'load', 'queued', 0, 2, 'io', {{at + 5}}, 'ready');
                """);
        }

        await using var store = await SqlMetadataStore.OpenAsync(database, TimeProvider.System, default);

        Assert.Equal([.. Enumerable.Range(1, 13)], (await store.AppliedMigrationsAsync(default)).Take(13)); // and any later ones
        var run = new RunId("r1");
        Assert.Equal(
            [
                new TaskInstanceRecord(run, new TaskId("extract"), TaskInstanceState.Success, 1, 3, "default", T0, "done"),
                new TaskInstanceRecord(run, new TaskId("load"), TaskInstanceState.Queued, 0, 2, "io", T0.AddMilliseconds(5), "ready"),
            ],
            await store.TaskInstances.ListAsync(run, default));

        // The kept instances are no pool's: they take no slots and are not waited for.
        await store.Pools.SetAsync("training", 1, null, T0, default);
        Assert.Equal(1, (await store.Pools.GetAsync("training", default))!.Open);
        Assert.Empty(await store.Pools.WaitedForAsync(default));
        Assert.True(await store.TaskInstances.TryStartTryAsync(new TryStart(run, new TaskId("load"), 1, "w1", T0.AddMinutes(1)), default));
    }

    private static IEnumerable<(int Version, string Sql)> Scripts(SqlDatabase database)
    {
        var assembly = database.MigrationAssembly;
        foreach (var resource in assembly.GetManifestResourceNames().Order(StringComparer.Ordinal))
        {
            if (ScriptName().Match(resource) is { Success: true } match)
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
                yield return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), reader.ReadToEnd());
            }
        }
    }

    [GeneratedRegex(@"\.(\d{3})_[a-z0-9_]+\.sql$")]
    private static partial Regex ScriptName();
}

public sealed class SqlitePoolMigrationContractTests : PoolMigrationContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-pool-migration-");

    protected override SqlDatabase Database() => new SqliteDatabase(_backend.DatabaseFile);

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresPoolMigrationContractTests : PoolMigrationContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override SqlDatabase Database() => new PostgresDatabase(PostgresBackend.ConnectionString, _backend.Schema);

    protected override Task DropAsync() => _backend.DropAsync();
}
