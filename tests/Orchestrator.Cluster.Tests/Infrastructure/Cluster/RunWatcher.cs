using System.Diagnostics;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;

namespace Orchestrator.Cluster.Tests.Infrastructure.Cluster;

/// <summary>Reads runs, task instances and tries straight from the cluster's metadata store, with the same
/// SqlMetadataStore the CLI opens; the tests only read through it. Survives a database outage: a read that fails
/// while PostgreSQL is down is retried until the deadline.</summary>
public sealed class RunWatcher : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly SqlMetadataStore _store;

    private RunWatcher(SqlMetadataStore store) => _store = store;

    /// <summary>The store of the given connection string (call after <c>db migrate</c> or after the process that
    /// migrates is up: opening the store migrates it, under the migration lock).</summary>
    public static async Task<RunWatcher> OpenAsync(string connectionString) =>
        new(await SqlMetadataStore.OpenAsync(new PostgresDatabase(connectionString), TimeProvider.System, default));

    /// <summary>The store itself, for reads the helpers below do not cover.</summary>
    public SqlMetadataStore Store => _store;

    public Task<DagRunRecord?> GetRunAsync(string runId) => _store.Runs.GetAsync(new RunId(runId), default);

    public Task<IReadOnlyList<DagRunRecord>> ListRunsAsync(string dagId, int limit = 1000) =>
        _store.Runs.ListAsync(new RunQuery(new DagId(dagId), Limit: limit), default);

    public Task<IReadOnlyList<TaskInstanceRecord>> TasksAsync(string runId) => _store.TaskInstances.ListAsync(new RunId(runId), default);

    public Task<IReadOnlyList<TaskTryRecord>> TriesAsync(string runId, string? taskId = null) =>
        _store.TaskInstances.ListTriesAsync(new RunId(runId), taskId is null ? null : new TaskId(taskId), default);

    public Task<IReadOnlyList<TaskStateChange>> HistoryAsync(string runId, string? taskId = null) =>
        _store.TaskInstances.HistoryAsync(new RunId(runId), taskId is null ? null : new TaskId(taskId), default);

    /// <summary>Waits until the run has finished (success or failed) and returns it; throws with the run's task
    /// states when the deadline passes.</summary>
    public async Task<DagRunRecord> WaitForRunEndAsync(string runId, TimeSpan timeout) =>
        await WaitUntilAsync(
            async () => await GetRunAsync(runId) is { State: DagRunState.Success or DagRunState.Failed } run ? run : null,
            timeout,
            async () => $"run {runId} did not finish within {timeout.TotalSeconds:0} s: {await DescribeAsync(runId)}");

    /// <summary>Waits until a task of the run is in <paramref name="state"/> (e.g. running on some worker).</summary>
    public async Task<TaskInstanceRecord> WaitForTaskStateAsync(string runId, string taskId, TaskInstanceState state, TimeSpan timeout) =>
        await WaitUntilAsync(
            async () => (await TasksAsync(runId)).FirstOrDefault(t => t.TaskId.Value == taskId && t.State == state),
            timeout,
            async () => $"task {taskId} of run {runId} was not {state} within {timeout.TotalSeconds:0} s: {await DescribeAsync(runId)}");

    /// <summary>The run's state and every task's state and try number, for failure messages.</summary>
    public async Task<string> DescribeAsync(string runId)
    {
        try
        {
            var run = await GetRunAsync(runId);
            var tasks = await TasksAsync(runId);
            return $"run {run?.State.ToString() ?? "(missing)"}; " +
                   string.Join(", ", tasks.Select(t => $"{t.TaskId.Value}={t.State}#{t.TryNumber}{(t.StateReason is null ? "" : $" ({t.StateReason})")}"));
        }
        catch (Exception exception)
        {
            return $"(could not read the store: {exception.Message})";
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value; store errors (an outage) count as "not yet".</summary>
    public static async Task<T> WaitUntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, Func<Task<string>> describeFailure)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(describeFailure);
        var clock = Stopwatch.StartNew();
        Exception? lastError = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception exception) when (exception is Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                lastError = exception;
            }

            await Task.Delay(PollInterval);
        }

        throw new TimeoutException(await describeFailure() + (lastError is null ? "" : $"\nlast store error: {lastError.Message}"));
    }

    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
