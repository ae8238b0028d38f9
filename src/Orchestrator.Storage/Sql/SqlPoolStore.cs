using System.Data.Common;
using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Core.Pools;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>Pools on SQLite and PostgreSQL (migration 013). Usage is never stored: it is summed from the task
/// instances' <c>pool</c>, <c>pool_slots</c> and <c>state</c>, so slots free themselves whichever way an instance
/// leaves queued or running. Admission serialises on the pool's row: FOR UPDATE on PostgreSQL, the single writer
/// on SQLite (its write transaction already holds the whole database).</summary>
internal sealed class SqlPoolStore(SqlSession session) : IPoolStore
{
    // Slot sums per state of the instances of each pool; LEFT JOIN so that an idle pool is listed with zeros.
    private const string UsageSelect = """
        SELECT p.name, p.slots, p.description, p.updated_at,
               COALESCE(SUM(CASE WHEN t.state = 'running' THEN t.pool_slots ELSE 0 END), 0) AS running,
               COALESCE(SUM(CASE WHEN t.state = 'queued' THEN t.pool_slots ELSE 0 END), 0) AS queued,
               COALESCE(SUM(CASE WHEN t.state = 'scheduled' THEN t.pool_slots ELSE 0 END), 0) AS waiting
          FROM pools p
          LEFT JOIN task_instances t ON t.pool = p.name AND t.state IN ('scheduled', 'queued', 'running')
        """;

    private const string UsageGroupBy = " GROUP BY p.name, p.slots, p.description, p.updated_at";

    public Task<IReadOnlyList<PoolRecord>> ListAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<PoolRecord>>(async connection =>
        {
            var rows = await connection.QueryAsync<PoolRow>(SqlSession.Command(UsageSelect + UsageGroupBy, null, null, cancellationToken));
            // Ordered here, not in SQL: PostgreSQL's collation would not sort names the way SQLite does.
            return [.. rows.Select(row => row.ToRecord()).OrderBy(pool => pool.Name, StringComparer.Ordinal)];
        }, cancellationToken);

    public Task<PoolRecord?> GetAsync(string name, CancellationToken cancellationToken)
    {
        EnsureName(name, nameof(name));
        return session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<PoolRow>(SqlSession.Command(
            UsageSelect + " WHERE p.name = @name" + UsageGroupBy, new { name }, null, cancellationToken)))?.ToRecord(), cancellationToken);
    }

    public Task SetAsync(string name, int slots, string? description, DateTimeOffset at, CancellationToken cancellationToken)
    {
        EnsureName(name, nameof(name));
        ArgumentOutOfRangeException.ThrowIfNegative(slots);
        return session.WriteAsync((connection, transaction) => connection.ExecuteAsync(SqlSession.Command("""
            INSERT INTO pools (name, slots, description, updated_at) VALUES (@name, @slots, @description, @at)
            ON CONFLICT (name) DO UPDATE SET slots = excluded.slots, description = excluded.description, updated_at = excluded.updated_at
            """, new { name, slots = (long)slots, description, at = Ms.Of(at) }, transaction, cancellationToken)), cancellationToken);
    }

    public async Task<PoolDeleteOutcome> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        EnsureName(name, nameof(name));
        var outcome = PoolDeleteOutcome.NotFound;
        await session.WriteAsync(async (connection, transaction) =>
        {
            // The row lock keeps an admission of this pool from running between the check and the delete.
            if (await connection.ExecuteScalarAsync<string?>(SqlSession.Command(
                    $"SELECT name FROM pools WHERE name = @name{session.Database.ForUpdate}", new { name }, transaction, cancellationToken)) is null)
            {
                outcome = PoolDeleteOutcome.NotFound;
                return false;
            }

            if (await connection.ExecuteScalarAsync<long?>(SqlSession.Command("""
                    SELECT 1 FROM task_instances WHERE pool = @name AND state IN ('scheduled', 'queued', 'running') LIMIT 1
                    """, new { name }, transaction, cancellationToken)) is not null)
            {
                outcome = PoolDeleteOutcome.InUse;
                return false;
            }

            await connection.ExecuteAsync(SqlSession.Command("DELETE FROM pools WHERE name = @name", new { name }, transaction, cancellationToken));
            outcome = PoolDeleteOutcome.Deleted;
            return true;
        }, cancellationToken);
        return outcome;
    }

    public Task<IReadOnlyList<string>> WaitedForAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<string>>(async connection =>
        {
            var names = await connection.QueryAsync<string>(SqlSession.Command(
                "SELECT DISTINCT pool FROM task_instances WHERE pool IS NOT NULL AND state = 'scheduled'", null, null, cancellationToken));
            return [.. names.Order(StringComparer.Ordinal)];
        }, cancellationToken);

    public async Task<IReadOnlyList<PoolAdmission>> AdmitAsync(string pool, DateTimeOffset at, CancellationToken cancellationToken)
    {
        EnsureName(pool, nameof(pool));
        var admitted = new List<PoolAdmission>();
        await session.WriteAsync(async (connection, transaction) =>
        {
            admitted.Clear();
            await AdmitAsync(connection, transaction, pool, at, admitted, cancellationToken);
            return admitted.Count > 0;
        }, cancellationToken);
        return admitted;
    }

    private async Task AdmitAsync(
        DbConnection connection, DbTransaction transaction, string pool, DateTimeOffset at, List<PoolAdmission> admitted, CancellationToken cancellationToken)
    {
        // Held until the transaction ends: a second admitter of this pool waits here and then counts what this one
        // admitted (each statement of a READ COMMITTED transaction sees what was committed before it started).
        var slots = await connection.ExecuteScalarAsync<long?>(SqlSession.Command(
            $"SELECT slots FROM pools WHERE name = @pool{session.Database.ForUpdate}", new { pool }, transaction, cancellationToken));
        if (slots is null)
        {
            return; // no such pool (yet): its instances wait
        }

        var taken = await connection.ExecuteScalarAsync<long>(SqlSession.Command(
            "SELECT COALESCE(SUM(pool_slots), 0) FROM task_instances WHERE pool = @pool AND state IN ('queued', 'running')",
            new { pool }, transaction, cancellationToken));
        var open = slots.Value - taken;
        if (open <= 0)
        {
            return; // full, or shrunk below what is in use: nothing until it drains
        }

        // Not locked: the compare-and-set below decides, and waits only for the few rows it chooses.
        var waiting = (await connection.QueryAsync<WaiterRow>(SqlSession.Command("""
            SELECT run_id, task_id, try_number, queue, pool_slots, priority_weight, updated_at
              FROM task_instances WHERE pool = @pool AND state = 'scheduled'
            """, new { pool }, transaction, cancellationToken)))
            .Select(row => new PoolWaiter<WaiterRow>(row, (int)row.PoolSlots, (int)row.PriorityWeight, Ms.At(row.UpdatedAt)))
            .ToList();
        while (open > 0)
        {
            var chosen = PoolAdmissionRule.Choose((int)Math.Min(open, int.MaxValue), waiting, WaiterRow.KeyOrder);
            if (chosen.Count == 0)
            {
                return;
            }

            var lost = false;
            foreach (var waiter in chosen)
            {
                var row = waiter.Key;
                var moved = await TaskStatements.TransitionAsync(connection, transaction, new TaskTransition(
                    new RunId(row.RunId), new TaskId(row.TaskId), TaskInstanceState.Scheduled, TaskInstanceState.Queued,
                    $"admitted to pool {pool} ({waiter.Slots} of {slots} slots)", at), cancellationToken);
                if (moved)
                {
                    admitted.Add(new PoolAdmission(new RunId(row.RunId), new TaskId(row.TaskId), (int)row.TryNumber + 1, row.Queue, pool, waiter.Slots));
                    open -= waiter.Slots;
                }
                else
                {
                    lost = true; // it left scheduled after it was read: its slots go to the next in line
                }
            }

            if (!lost)
            {
                return;
            }

            var done = chosen.Select(w => w.Key).ToHashSet();
            waiting.RemoveAll(w => done.Contains(w.Key));
        }
    }

    private static void EnsureName(string name, string parameter)
    {
        if (!PoolNames.IsValid(name))
        {
            throw new ArgumentException($"'{name}' is not a valid pool name: expected {PoolNames.Expected}", parameter);
        }
    }

    private sealed class PoolRow
    {
        public string Name { get; set; } = "";

        public long Slots { get; set; }

        public string? Description { get; set; }

        public long UpdatedAt { get; set; }

        public long Running { get; set; }

        public long Queued { get; set; }

        public long Waiting { get; set; }

        public PoolRecord ToRecord() => new(Name, (int)Slots, Description, Ms.At(UpdatedAt), (int)Running, (int)Queued, (int)Waiting);
    }

    private sealed class WaiterRow
    {
        /// <summary>Among equal priorities and waiting times: run id, then task id, ordinally (the same on every backend).</summary>
        public static readonly IComparer<WaiterRow> KeyOrder = Comparer<WaiterRow>.Create((a, b) =>
        {
            var byRun = string.CompareOrdinal(a.RunId, b.RunId);
            return byRun != 0 ? byRun : string.CompareOrdinal(a.TaskId, b.TaskId);
        });

        public string RunId { get; set; } = "";

        public string TaskId { get; set; } = "";

        public long TryNumber { get; set; }

        public string Queue { get; set; } = "";

        public long PoolSlots { get; set; }

        public long PriorityWeight { get; set; }

        public long UpdatedAt { get; set; }
    }
}
