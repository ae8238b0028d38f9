using System.Data.Common;
using System.Globalization;
using Dapper;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Ml;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>Experiments and tracking runs on SQL. A run's params, tags, metrics, dataset inputs and artifacts are
/// rows of their own tables; reading runs costs one query per table, however many runs are read.</summary>
internal sealed class SqlTrackingStore(SqlSession session) : ITrackingStore
{
    public async Task<ExperimentRecord> GetOrCreateExperimentAsync(string name, DateTimeOffset at, CancellationToken cancellationToken)
    {
        MlNames.Ensure(MlNames.ExperimentNameProblem(name), "experiment name");
        ExperimentRecord? experiment = null;
        await session.WriteAsync(async (connection, transaction) =>
        {
            // A concurrent creator of the same name waits on the unique name, then inserts nothing and reads the winner's row.
            await connection.ExecuteAsync(SqlSession.Command("""
                INSERT INTO experiments (name, created_at, tags_json) VALUES (@name, @at, '{}')
                ON CONFLICT (name) DO NOTHING
                """, new { name, at = Ms.Of(at) }, transaction, cancellationToken));
            experiment = (await connection.QuerySingleAsync<ExperimentRow>(SqlSession.Command(
                $"SELECT {ExperimentRow.Columns} FROM experiments WHERE name = @name", new { name }, transaction, cancellationToken))).ToRecord();
        }, cancellationToken);
        return experiment!;
    }

    public Task<ExperimentRecord?> FindExperimentAsync(string idOrName, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection =>
        {
            if (ExperimentId(idOrName) is { } id && await connection.QuerySingleOrDefaultAsync<ExperimentRow>(SqlSession.Command(
                $"SELECT {ExperimentRow.Columns} FROM experiments WHERE id = @id", new { id }, null, cancellationToken)) is { } byId)
            {
                return byId.ToRecord();
            }

            return (await connection.QuerySingleOrDefaultAsync<ExperimentRow>(SqlSession.Command(
                $"SELECT {ExperimentRow.Columns} FROM experiments WHERE name = @name", new { name = idOrName }, null, cancellationToken)))?.ToRecord();
        }, cancellationToken);

    public Task<IReadOnlyList<ExperimentRecord>> ListExperimentsAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<ExperimentRecord>>(async connection => [.. (await connection.QueryAsync<ExperimentRow>(SqlSession.Command(
            $"SELECT {ExperimentRow.Columns} FROM experiments ORDER BY id", null, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);

    public Task<(IReadOnlyList<ExperimentSummaryRecord> Items, int Total)> ListExperimentSummariesAsync(int offset, int limit, CancellationToken cancellationToken)
    {
        Paging.Ensure(offset, limit);
        return session.ReadAsync<(IReadOnlyList<ExperimentSummaryRecord>, int)>(async connection =>
        {
            var total = await connection.ExecuteScalarAsync<long>(SqlSession.Command("SELECT COUNT(*) FROM experiments", null, null, cancellationToken));
            var rows = await connection.QueryAsync<ExperimentSummaryRow>(SqlSession.Command("""
                SELECT e.id, e.name, e.created_at, e.tags_json, COUNT(r.run_id) AS run_count, MAX(r.started_at) AS last_run_at
                  FROM experiments e LEFT JOIN tracking_runs r ON r.experiment_id = e.id
                 GROUP BY e.id, e.name, e.created_at, e.tags_json
                 ORDER BY e.id
                 LIMIT @limit OFFSET @offset
                """, new { limit, offset }, null, cancellationToken));
            return ([.. rows.Select(row => new ExperimentSummaryRecord(row.ToRecord(), (int)row.RunCount, Ms.At(row.LastRunAt)))], (int)total);
        }, cancellationToken);
    }

    public async Task<TrackingRunRecord> StartRunAsync(
        string experimentId, string name, RunLineage createdBy, IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, string> tags,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(createdBy);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);
        var experiment = ExperimentId(experimentId) ?? throw new KeyNotFoundException($"no experiment with id '{experimentId}'");
        var runId = Guid.NewGuid().ToString("N"); // 32 lowercase hex characters, as MLflow's run ids
        await session.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteScalarAsync<long>(SqlSession.Command(
                "SELECT COUNT(*) FROM experiments WHERE id = @experiment", new { experiment }, transaction, cancellationToken)) == 0)
            {
                throw new KeyNotFoundException($"no experiment with id '{experimentId}'");
            }

            var row = new DynamicParameters(Lineage.Parameters(createdBy));
            row.AddDynamicParams(new { runId, experiment, name, status = TrackingStatus.Name(TrackingRunStatus.Running), at = Ms.Of(at) });
            await connection.ExecuteAsync(SqlSession.Command($"""
                INSERT INTO tracking_runs ({TrackingRunRow.Columns})
                VALUES (@runId, @experiment, @name, @status, @at, NULL, @lineageDagId, @lineageRunId, @lineageTaskId, @lineageTry)
                """, row, transaction, cancellationToken));
            await connection.ExecuteAsync(SqlSession.Command(
                "INSERT INTO tracking_params (run_id, key, value) VALUES (@runId, @key, @value)",
                parameters.Select(pair => new { runId, key = pair.Key, value = pair.Value }), transaction, cancellationToken));
            await connection.ExecuteAsync(SqlSession.Command(
                "INSERT INTO tracking_tags (run_id, key, value) VALUES (@runId, @key, @value)",
                tags.Select(pair => new { runId, key = pair.Key, value = pair.Value }), transaction, cancellationToken));
        }, cancellationToken);
        return new TrackingRunRecord(
            runId, experiment.ToString(CultureInfo.InvariantCulture), name, TrackingRunStatus.Running, Ms.At(Ms.Of(at)), null, createdBy,
            parameters.ToDictionary(StringComparer.Ordinal), tags.ToDictionary(StringComparer.Ordinal), [], [], []);
    }

    public Task LogMetricsAsync(string runId, IReadOnlyList<MetricPoint> metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var metric in metrics)
        {
            ArgumentException.ThrowIfNullOrEmpty(metric.Key, nameof(metrics));
        }

        return session.WriteAsync(async (connection, transaction) =>
        {
            await EnsureRunAsync(connection, transaction, runId, cancellationToken);
            await connection.ExecuteAsync(SqlSession.Command(
                "INSERT INTO tracking_metrics (run_id, key, value, step, at) VALUES (@runId, @key, @value, @step, @at)",
                metrics.Select(metric => new { runId, key = metric.Key, value = double.IsNaN(metric.Value) ? (double?)null : metric.Value, step = metric.Step, at = Ms.Of(metric.At) }),
                transaction, cancellationToken));
        }, cancellationToken);
    }

    public Task SetTagsAsync(string runId, IReadOnlyDictionary<string, string?> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return session.WriteAsync(async (connection, transaction) =>
        {
            await EnsureRunAsync(connection, transaction, runId, cancellationToken);
            foreach (var (key, value) in tags)
            {
                await connection.ExecuteAsync(SqlSession.Command(value is null
                    ? "DELETE FROM tracking_tags WHERE run_id = @runId AND key = @key"
                    : """
                      INSERT INTO tracking_tags (run_id, key, value) VALUES (@runId, @key, @value)
                      ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value
                      """, new { runId, key, value }, transaction, cancellationToken));
            }
        }, cancellationToken);
    }

    public Task LogDatasetInputAsync(string runId, DatasetInputRecord input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArtifactDigest.Ensure(input.Digest, "dataset digest");
        ArgumentException.ThrowIfNullOrWhiteSpace(input.Context, nameof(input));
        return session.WriteAsync(async (connection, transaction) =>
        {
            await EnsureRunAsync(connection, transaction, runId, cancellationToken);
            await connection.ExecuteAsync(SqlSession.Command("""
                INSERT INTO tracking_dataset_inputs (run_id, digest, context) VALUES (@runId, @digest, @context)
                ON CONFLICT (run_id, digest, context) DO NOTHING
                """, new { runId, digest = input.Digest, context = input.Context }, transaction, cancellationToken));
        }, cancellationToken);
    }

    public Task LogArtifactAsync(string runId, TrackedArtifactRecord artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArtifactDigest.Ensure(artifact.Digest, "artifact digest");
        if (string.IsNullOrWhiteSpace(artifact.Path) || artifact.Path.StartsWith('/') || artifact.Path.Split('/', '\\').Contains(".."))
        {
            throw new ArgumentException($"artifact path '{artifact.Path}' must be a relative path within the run (no leading '/', no '..')", nameof(artifact));
        }

        return session.WriteAsync(async (connection, transaction) =>
        {
            await EnsureRunAsync(connection, transaction, runId, cancellationToken);
            await connection.ExecuteAsync(SqlSession.Command("""
                INSERT INTO tracking_artifacts (run_id, path, digest, size_bytes) VALUES (@runId, @path, @digest, @sizeBytes)
                ON CONFLICT (run_id, path) DO UPDATE SET digest = excluded.digest, size_bytes = excluded.size_bytes
                """, new { runId, path = artifact.Path, digest = artifact.Digest, sizeBytes = artifact.SizeBytes }, transaction, cancellationToken));
        }, cancellationToken);
    }

    public Task EndRunAsync(string runId, TrackingRunStatus status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (status == TrackingRunStatus.Running || !Enum.IsDefined(status))
        {
            throw new ArgumentException($"a run ends as FINISHED, FAILED or KILLED, not {status}", nameof(status));
        }

        return session.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteAsync(SqlSession.Command(
                "UPDATE tracking_runs SET status = @status, ended_at = @at WHERE run_id = @runId",
                new { runId, status = TrackingStatus.Name(status), at = Ms.Of(at) }, transaction, cancellationToken)) != 1)
            {
                throw new KeyNotFoundException($"no tracking run '{runId}'");
            }
        }, cancellationToken);
    }

    public Task<TrackingRunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection =>
            (await ReadRunsAsync(connection, "run_id = @runId", new { runId }, cancellationToken)).SingleOrDefault(), cancellationToken);

    public Task<IReadOnlyList<TrackingRunRecord>> ListRunsAsync(string experimentId, CancellationToken cancellationToken) =>
        ExperimentId(experimentId) is not { } experiment
            ? Task.FromResult<IReadOnlyList<TrackingRunRecord>>([])
            : session.ReadAsync(connection => ReadRunsAsync(connection, "experiment_id = @experiment", new { experiment }, cancellationToken), cancellationToken);

    /// <summary>The runs matching <paramref name="where"/> (over tracking_runs), newest first, with everything logged to them.</summary>
    private static async Task<IReadOnlyList<TrackingRunRecord>> ReadRunsAsync(DbConnection connection, string where, object parameters, CancellationToken cancellationToken)
    {
        var runs = (await connection.QueryAsync<TrackingRunRow>(SqlSession.Command(
            $"SELECT {TrackingRunRow.Columns} FROM tracking_runs WHERE {where} ORDER BY started_at DESC, run_id", parameters, null, cancellationToken))).ToList();
        if (runs.Count == 0)
        {
            return [];
        }

        var ofRuns = $"run_id IN (SELECT run_id FROM tracking_runs WHERE {where})";
        var parameterRows = (await connection.QueryAsync<RunKeyValueRow>(SqlSession.Command(
            $"SELECT run_id, key, value FROM tracking_params WHERE {ofRuns}", parameters, null, cancellationToken))).ToLookup(row => row.RunId, StringComparer.Ordinal);
        var tagRows = (await connection.QueryAsync<RunKeyValueRow>(SqlSession.Command(
            $"SELECT run_id, key, value FROM tracking_tags WHERE {ofRuns}", parameters, null, cancellationToken))).ToLookup(row => row.RunId, StringComparer.Ordinal);
        var metricRows = (await connection.QueryAsync<MetricRow>(SqlSession.Command(
            $"SELECT run_id, key, value, step, at FROM tracking_metrics WHERE {ofRuns} ORDER BY key, step, at, id", parameters, null, cancellationToken)))
            .ToLookup(row => row.RunId, StringComparer.Ordinal);
        var inputRows = (await connection.QueryAsync<DatasetInputRow>(SqlSession.Command(
            $"SELECT run_id, digest, context FROM tracking_dataset_inputs WHERE {ofRuns} ORDER BY context, digest", parameters, null, cancellationToken)))
            .ToLookup(row => row.RunId, StringComparer.Ordinal);
        var artifactRows = (await connection.QueryAsync<ArtifactRow>(SqlSession.Command(
            $"SELECT run_id, path, digest, size_bytes FROM tracking_artifacts WHERE {ofRuns} ORDER BY path", parameters, null, cancellationToken)))
            .ToLookup(row => row.RunId, StringComparer.Ordinal);

        return [.. runs.Select(run => run.ToRecord(
            Map(parameterRows[run.RunId]), Map(tagRows[run.RunId]),
            [.. metricRows[run.RunId].Select(row => row.ToRecord())],
            [.. inputRows[run.RunId].Select(row => new DatasetInputRecord(row.Digest, row.Context))],
            [.. artifactRows[run.RunId].Select(row => new TrackedArtifactRecord(row.Path, row.Digest, row.SizeBytes))]))];
    }

    private static Dictionary<string, string> Map(IEnumerable<RunKeyValueRow> rows) =>
        rows.OrderBy(row => row.Key, StringComparer.Ordinal).ToDictionary(row => row.Key, row => row.Value, StringComparer.Ordinal);

    private static async Task EnsureRunAsync(DbConnection connection, DbTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        if (await connection.ExecuteScalarAsync<long>(SqlSession.Command(
            "SELECT COUNT(*) FROM tracking_runs WHERE run_id = @runId", new { runId }, transaction, cancellationToken)) == 0)
        {
            throw new KeyNotFoundException($"no tracking run '{runId}'");
        }
    }

    /// <summary>Experiment ids are the database's integer keys, shown as strings ("1", "2", …) as MLflow does.</summary>
    private static long? ExperimentId(string? id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
