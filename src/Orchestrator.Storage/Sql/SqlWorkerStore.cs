using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlWorkerStore(SqlSession session) : IWorkerStore
{
    private const string Columns = "worker_id, host, pid, queues, concurrency, started_at, heartbeat_at, stopped_at";

    public Task RegisterAsync(WorkerRecord worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentException.ThrowIfNullOrWhiteSpace(worker.WorkerId);
        return session.WriteAsync((connection, transaction) => connection.ExecuteAsync(SqlSession.Command($"""
            INSERT INTO workers ({Columns}) VALUES (@id, @host, @pid, @queues, @concurrency, @startedAt, @heartbeatAt, NULL)
            ON CONFLICT (worker_id) DO UPDATE SET host = excluded.host, pid = excluded.pid, queues = excluded.queues,
                concurrency = excluded.concurrency, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL
            """, new
        {
            id = worker.WorkerId,
            host = worker.Host,
            pid = (long)worker.ProcessId,
            queues = string.Join(',', worker.Queues),
            concurrency = (long)worker.Concurrency,
            startedAt = Ms.Of(worker.StartedAt),
            heartbeatAt = Ms.Of(worker.HeartbeatAt),
        }, transaction, cancellationToken)), cancellationToken);
    }

    public async Task<int?> HeartbeatAsync(string workerId, DateTimeOffset at, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        int? extended = null;
        await session.WriteAsync(async (connection, transaction) =>
        {
            extended = null;
            if (await connection.ExecuteAsync(SqlSession.Command(
                    "UPDATE workers SET heartbeat_at = @at WHERE worker_id = @workerId AND stopped_at IS NULL",
                    new { workerId, at = Ms.Of(at) }, transaction, cancellationToken)) == 0)
            {
                return;
            }

            // Only tries that have a lease: a try recorded lost has ended and is not extended again. Rows a scheduler's
            // batch holds are skipped, not waited for (it is ending those tries): waiting on rows locked in another
            // order deadlocked with the schedulers' batches under load.
            extended = await connection.ExecuteAsync(SqlSession.Command($"""
                UPDATE task_tries SET lease_until = @leaseUntil
                 WHERE (run_id, task_id, try_number) IN (
                       SELECT run_id, task_id, try_number FROM task_tries
                        WHERE worker_id = @workerId AND ended_at IS NULL AND lease_until IS NOT NULL{session.Database.ForUpdateSkipLocked})
                """, new { workerId, leaseUntil = Ms.Of(leaseUntil) }, transaction, cancellationToken));
        }, cancellationToken);
        return extended;
    }

    public Task StopAsync(string workerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        session.WriteAsync((connection, transaction) => connection.ExecuteAsync(SqlSession.Command(
            "UPDATE workers SET stopped_at = @at WHERE worker_id = @workerId AND stopped_at IS NULL",
            new { workerId, at = Ms.Of(at) }, transaction, cancellationToken)), cancellationToken);

    public Task<IReadOnlyList<WorkerRecord>> ListAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<WorkerRecord>>(async connection => [.. (await connection.QueryAsync<WorkerRow>(SqlSession.Command(
            $"SELECT {Columns} FROM workers ORDER BY heartbeat_at DESC, worker_id", null, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);

    public Task<IReadOnlyList<ExpiredTry>> ExpiredTriesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return session.ReadAsync<IReadOnlyList<ExpiredTry>>(async connection => [.. (await connection.QueryAsync<ExpiredTryRow>(SqlSession.Command("""
            SELECT run_id, task_id, try_number, worker_id, lease_until FROM task_tries
             WHERE ended_at IS NULL AND lease_until IS NOT NULL AND lease_until < @now
               -- a try its worker reported is not lost, even if the worker died right after: the report stands
               AND NOT EXISTS (SELECT 1 FROM try_reports r
                                WHERE r.run_id = task_tries.run_id AND r.task_id = task_tries.task_id AND r.try_number = task_tries.try_number)
             ORDER BY lease_until, run_id, task_id LIMIT @limit
            """, new { now = Ms.Of(now), limit = (long)limit }, null, cancellationToken)))
            .Select(row => new ExpiredTry(new RunId(row.RunId), new TaskId(row.TaskId), (int)row.TryNumber, row.WorkerId, Ms.At(row.LeaseUntil)))], cancellationToken);
    }

    private sealed class WorkerRow
    {
        public string WorkerId { get; set; } = "";

        public string Host { get; set; } = "";

        public long Pid { get; set; }

        public string Queues { get; set; } = "";

        public long Concurrency { get; set; }

        public long StartedAt { get; set; }

        public long HeartbeatAt { get; set; }

        public long? StoppedAt { get; set; }

        public WorkerRecord ToRecord() => new(WorkerId, Host, (int)Pid, Queues.Length == 0 ? [] : Queues.Split(','), (int)Concurrency,
            Ms.At(StartedAt), Ms.At(HeartbeatAt), Ms.At(StoppedAt));
    }

    private sealed class ExpiredTryRow
    {
        public string RunId { get; set; } = "";

        public string TaskId { get; set; } = "";

        public long TryNumber { get; set; }

        public string? WorkerId { get; set; }

        public long LeaseUntil { get; set; }
    }
}
