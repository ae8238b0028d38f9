using Npgsql;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;

namespace Orchestrator.Storage.Tests;

/// <summary>The pool contract on PostgreSQL, plus what only a server with several connections can show: admitters in
/// separate processes (stores) never admit more than the pool's slots together, and an instance another transaction
/// moves out of scheduled while it is being admitted is not admitted.</summary>
public sealed class PostgresPoolStoreContractTests : PoolStoreContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();

    [Fact]
    public async Task ConcurrentAdmitters_OnSeparateStores_NeverAdmitMoreThanTheSlots()
    {
        const int Slots = 3;
        const int Admitters = 6;
        await Store.Pools.SetAsync(Training, Slots, null, T0, default);
        await CreateRunAsync("r1", [.. Enumerable.Range(0, 40).Select(i => Waiting($"t{i:D2}", Training, weight: i % 4, since: T0.AddSeconds(i)))]);
        var schedulers = new List<IMetadataStore>();
        try
        {
            for (var i = 0; i < Admitters; i++)
            {
                schedulers.Add(await SqlMetadataStore.OpenAsync(new PostgresDatabase(PostgresBackend.ConnectionString, _backend.Schema), TimeProvider.System, default));
            }

            for (var round = 0; round < 5; round++)
            {
                var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var admitting = schedulers.Select(scheduler => Task.Run(async () =>
                {
                    await start.Task;
                    return await scheduler.Pools.AdmitAsync(Training, T0.AddMinutes(round), default);
                })).ToList();
                start.SetResult();
                var admitted = (await Task.WhenAll(admitting).WaitAsync(TimeSpan.FromSeconds(60))).SelectMany(a => a).ToList();

                Assert.Equal(Slots, admitted.Count); // all of them, and no more: 40 wait
                Assert.Equal(Slots, admitted.Select(a => a.TaskId).Distinct().Count());
                Assert.Equal(Slots, (await Store.Pools.GetAsync(Training, default))!.Queued);
                await DrainAsync(admitted);
            }
        }
        finally
        {
            foreach (var scheduler in schedulers)
            {
                await scheduler.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AnInstanceMovedOutOfScheduledWhileBeingAdmitted_IsNotAdmitted_AndTheNextTakesItsSlot()
    {
        await Store.Pools.SetAsync(Training, 1, null, T0, default);
        await CreateRunAsync("r1", Waiting("first", Training, weight: 10), Waiting("second", Training, weight: 1));

        // Another scheduler's transaction removes "first" and has not committed: the admission reads "first" as
        // waiting, chooses it, and its compare-and-set waits for that transaction.
        await using var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresBackend.ConnectionString) { SearchPath = _backend.Schema }.ConnectionString);
        await other.OpenAsync();
        await using var removing = await other.BeginTransactionAsync();
        await using (var remove = new NpgsqlCommand(
            "UPDATE task_instances SET state = 'removed', state_reason = 'removed from the DAG' WHERE run_id = 'r1' AND task_id = 'first'", other, removing))
        {
            Assert.Equal(1, await remove.ExecuteNonQueryAsync());
        }

        var admitting = Store.Pools.AdmitAsync(Training, T0.AddMinutes(1), default);
        await WaitUntilBlockedByAsync(other.ProcessID, admitting);
        await removing.CommitAsync();

        var admitted = await admitting.WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard
        Assert.Equal(["second"], admitted.Select(a => a.TaskId.Value));
        Assert.Equal(TaskInstanceState.Removed, (await Store.TaskInstances.GetAsync(new RunId("r1"), new TaskId("first"), default))!.State);
    }

    /// <summary>Polls the server until some backend waits for a lock <paramref name="holder"/> holds (the admission,
    /// once it reached the row): no timing is assumed, only observed.</summary>
    private static async Task WaitUntilBlockedByAsync(int holder, Task admitting)
    {
        await using var admin = new NpgsqlConnection(PostgresBackend.ConnectionString);
        await admin.OpenAsync();
        await using var blocked = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE @holder = ANY(pg_blocking_pids(pid))", admin);
        blocked.Parameters.AddWithValue("holder", holder);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((long)(await blocked.ExecuteScalarAsync(deadline.Token))! == 0)
        {
            Assert.False(admitting.IsCompleted, "the admission finished without waiting for the row being changed");
            await Task.Delay(10, deadline.Token);
        }
    }
}
