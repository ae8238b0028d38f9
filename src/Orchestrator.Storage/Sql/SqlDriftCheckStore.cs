using System.Text.Json;
using Dapper;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlDriftCheckStore(SqlSession session) : IDriftCheckStore
{
    private const string Columns = "id, kind, model, version, at, drifted, share, share_threshold, drifted_features, reference_rows, " +
        "current_rows, report_digest, details_json, " + Lineage.Columns;

    public async Task<(DriftCheckRecord Check, bool Created)> RecordAsync(NewDriftCheck check, CancellationToken cancellationToken)
    {
        Validate(check);
        var parameters = new DynamicParameters(Lineage.Parameters(check.CreatedBy));
        parameters.AddDynamicParams(new
        {
            kind = check.Kind, model = check.Model, version = (long?)check.Version, at = Ms.Of(check.At), drifted = check.Drifted ? 1L : 0L,
            share = check.Share, shareThreshold = check.ShareThreshold, driftedFeatures = JsonSerializer.Serialize(check.DriftedFeatures),
            referenceRows = check.ReferenceRows, currentRows = check.CurrentRows, reportDigest = check.ReportDigest, detailsJson = check.DetailsJson,
        });
        (DriftCheckRecord, bool) result = default;
        await session.WriteAsync(async (connection, transaction) =>
        {
            // The partial unique index on the lineage makes a second recording by the same task a no-op.
            var id = await connection.QuerySingleOrDefaultAsync<long?>(SqlSession.Command($"""
                INSERT INTO drift_checks (kind, model, version, at, drifted, share, share_threshold, drifted_features, reference_rows,
                                          current_rows, report_digest, details_json, {Lineage.Columns})
                VALUES (@kind, @model, @version, @at, @drifted, @share, @shareThreshold, @driftedFeatures, @referenceRows,
                        @currentRows, @reportDigest, @detailsJson, @lineageDagId, @lineageRunId, @lineageTaskId, @lineageTry)
                ON CONFLICT (lineage_dag_id, lineage_run_id, lineage_task_id)
                   WHERE lineage_dag_id IS NOT NULL AND lineage_run_id IS NOT NULL AND lineage_task_id IS NOT NULL
                DO NOTHING
                RETURNING id
                """, parameters, transaction, cancellationToken));
            var row = id is { } created
                ? await connection.QuerySingleAsync<DriftCheckRow>(SqlSession.Command(
                    $"SELECT {Columns} FROM drift_checks WHERE id = @id", new { id = created }, transaction, cancellationToken))
                : await connection.QuerySingleAsync<DriftCheckRow>(SqlSession.Command($"""
                    SELECT {Columns} FROM drift_checks
                     WHERE lineage_dag_id = @lineageDagId AND lineage_run_id = @lineageRunId AND lineage_task_id = @lineageTaskId
                    """, parameters, transaction, cancellationToken));
            result = (row.ToRecord(), id is not null);
        }, cancellationToken);
        return result;
    }

    public Task<DriftCheckRecord?> GetAsync(long id, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<DriftCheckRow>(SqlSession.Command(
            $"SELECT {Columns} FROM drift_checks WHERE id = @id", new { id }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<(IReadOnlyList<DriftCheckRecord> Items, int Total)> ListAsync(string model, int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        Paging.Ensure(offset, limit);
        return session.ReadAsync<(IReadOnlyList<DriftCheckRecord>, int)>(async connection =>
        {
            var total = await connection.ExecuteScalarAsync<long>(SqlSession.Command(
                "SELECT COUNT(*) FROM drift_checks WHERE model = @model", new { model }, null, cancellationToken));
            var rows = await connection.QueryAsync<DriftCheckRow>(SqlSession.Command($"""
                SELECT {Columns} FROM drift_checks WHERE model = @model
                 ORDER BY at DESC, id DESC
                 LIMIT @limit OFFSET @offset
                """, new { model, limit, offset }, null, cancellationToken));
            return ([.. rows.Select(row => row.ToRecord())], (int)total);
        }, cancellationToken);
    }

    private static void Validate(NewDriftCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (!DriftCheckKinds.All.Contains(check.Kind))
            throw new ArgumentException($"kind is '{check.Kind}'; expected one of {string.Join(", ", DriftCheckKinds.All)}", nameof(check));
        if (!(check.Share >= 0 && check.Share <= 1))
            throw new ArgumentException($"share is {check.Share}; expected a number in [0, 1]", nameof(check));
        if (!(check.ShareThreshold >= 0 && check.ShareThreshold <= 1))
            throw new ArgumentException($"shareThreshold is {check.ShareThreshold}; expected a number in [0, 1]", nameof(check));
        if (check.ReferenceRows < 0 || check.CurrentRows < 0)
            throw new ArgumentException("row counts must be ≥ 0", nameof(check));
        ArgumentNullException.ThrowIfNull(check.DriftedFeatures);
        ArgumentNullException.ThrowIfNull(check.CreatedBy);
    }

    private sealed class DriftCheckRow : LineageRow
    {
        public long Id { get; set; }
        public string Kind { get; set; } = "";
        public string? Model { get; set; }
        public long? Version { get; set; }
        public long At { get; set; }
        public long Drifted { get; set; }
        public double Share { get; set; }
        public double ShareThreshold { get; set; }
        public string DriftedFeatures { get; set; } = "[]";
        public long ReferenceRows { get; set; }
        public long CurrentRows { get; set; }
        public string? ReportDigest { get; set; }
        public string? DetailsJson { get; set; }

        public DriftCheckRecord ToRecord() => new(Id, Kind, Model, (int?)Version, Ms.At(At), Lineage(), Drifted != 0, Share, ShareThreshold,
            JsonSerializer.Deserialize<string[]>(DriftedFeatures) ?? [], ReferenceRows, CurrentRows, ReportDigest, DetailsJson);
    }
}
