using System.Data.Common;
using Dapper;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>The inference log on any SQL backend. An append is one single-row INSERT per row, all in the batch's one
/// transaction: where the provider can send many statements in one round trip (PostgreSQL: <see cref="DbBatch"/>)
/// they go in batches of <see cref="RowsPerRoundTrip"/>; SQLite has no round trips, and one prepared command re-bound
/// per row is its fastest way in.</summary>
internal sealed class SqlInferenceLogStore(SqlSession session) : IInferenceLogStore
{
    // Measured (bench inference-append): with Microsoft.Data.Sqlite, multi-row VALUES statements are slower per row
    // than one prepared single-row statement (binding cost grows with the parameter count): 8 rows a statement
    // appended at about half the rate of 1.
    private const int RowsPerRoundTrip = 256;
    private const string Select = "request_id, row_index, model, version, at, inputs, prediction";

    // An append retried after a commit that did happen (or a re-sent batch) adds nothing twice.
    private const string InsertRow = """
        INSERT INTO inference_log (request_id, row_index, model, version, at, inputs, prediction)
        VALUES (@request_id, @row_index, @model, @version, @at, @inputs, @prediction)
        ON CONFLICT (request_id, row_index) DO NOTHING
        """;

    private static readonly string[] Columns = ["request_id", "row_index", "model", "version", "at", "inputs", "prediction"];

    public Task AppendAsync(IReadOnlyList<InferenceRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return Task.CompletedTask;
        }

        return session.WriteAsync(async (connection, transaction) =>
        {
            if (connection.CanCreateBatch)
            {
                await AppendInBatchesAsync(connection, transaction, records, cancellationToken);
                return;
            }

            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = InsertRow;
            AddParameters(insert);
            foreach (var record in records)
            {
                Bind(insert, record);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);
    }

    private static async Task AppendInBatchesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<InferenceRecord> records, CancellationToken cancellationToken)
    {
        for (var start = 0; start < records.Count; start += RowsPerRoundTrip)
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            var end = Math.Min(records.Count, start + RowsPerRoundTrip);
            for (var i = start; i < end; i++)
            {
                var insert = batch.CreateBatchCommand();
                insert.CommandText = InsertRow;
                foreach (var column in Columns)
                {
                    var parameter = insert.CreateParameter();
                    parameter.ParameterName = column;
                    insert.Parameters.Add(parameter);
                }

                Bind(insert.Parameters, records[i]);
                batch.BatchCommands.Add(insert);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task<IReadOnlyList<InferenceLabel>> LabelAsync(string model, IReadOnlyList<InferenceLabel> labels, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(labels);
        var unknown = new List<InferenceLabel>();
        await session.WriteAsync(async (connection, transaction) =>
        {
            unknown.Clear(); // a write retried by the group commit starts over
            foreach (var label in labels)
            {
                // A later label for the same row replaces the earlier one: the last word on the ground truth wins.
                var changed = await connection.ExecuteAsync(SqlSession.Command("""
                    UPDATE inference_log SET label = @label, labeled_at = @at
                     WHERE request_id = @requestId AND row_index = @row AND model = @model
                    """, new { label = label.Label, at = Ms.Of(at), requestId = label.RequestId, row = (long)label.Row, model }, transaction, cancellationToken));
                if (changed == 0)
                {
                    unknown.Add(label);
                }
            }
        }, cancellationToken);
        return unknown;
    }

    public Task<IReadOnlyList<InferenceRecord>> ReadAsync(InferenceWindow window, CancellationToken cancellationToken)
    {
        var (where, parameters) = Where(window);
        return session.ReadAsync<IReadOnlyList<InferenceRecord>>(async connection => [.. (await connection.QueryAsync<InferenceRow>(SqlSession.Command(
            $"SELECT {Select} FROM inference_log WHERE {where} ORDER BY at, request_id, row_index LIMIT @limit", parameters, null, cancellationToken)))
            .Select(row => row.ToRecord())], cancellationToken);
    }

    public Task<IReadOnlyList<LabeledInference>> ReadLabeledAsync(InferenceWindow window, CancellationToken cancellationToken)
    {
        var (where, parameters) = Where(window);
        return session.ReadAsync<IReadOnlyList<LabeledInference>>(async connection => [.. (await connection.QueryAsync<InferenceRow>(SqlSession.Command(
            $"SELECT {Select}, label, labeled_at FROM inference_log WHERE {where} AND label IS NOT NULL ORDER BY at, request_id, row_index LIMIT @limit",
            parameters, null, cancellationToken)))
            .Select(row => new LabeledInference(row.ToRecord(), row.Label!, Ms.At(row.LabeledAt ?? 0)))], cancellationToken);
    }

    public async Task<int> PruneAsync(DateTimeOffset cutoff, int maxRowsPerModel, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRowsPerModel);
        var deleted = 0;
        await session.WriteAsync(async (connection, transaction) =>
        {
            deleted = await connection.ExecuteAsync(SqlSession.Command(
                "DELETE FROM inference_log WHERE at < @cutoff", new { cutoff = Ms.Of(cutoff) }, transaction, cancellationToken));
            var crowded = await connection.QueryAsync<CrowdedModel>(SqlSession.Command(
                "SELECT model, COUNT(*) AS row_count FROM inference_log GROUP BY model HAVING COUNT(*) > @max",
                new { max = (long)maxRowsPerModel }, transaction, cancellationToken));
            foreach (var model in crowded)
            {
                deleted += await TrimAsync(connection, transaction, model.Model, model.RowCount - maxRowsPerModel, cancellationToken);
            }
        }, cancellationToken);
        return deleted;
    }

    /// <summary>Deletes the <paramref name="excess"/> oldest rows of a model (ties in time broken by request id and
    /// row, as reads order them): first everything strictly older than the oldest survivor's time, then the rest of
    /// the excess among the rows sharing that time.</summary>
    private static async Task<int> TrimAsync(DbConnection connection, DbTransaction transaction, string model, long excess, CancellationToken cancellationToken)
    {
        var boundary = await connection.ExecuteScalarAsync<long>(SqlSession.Command(
            "SELECT at FROM inference_log WHERE model = @model ORDER BY at LIMIT 1 OFFSET @offset",
            new { model, offset = excess - 1 }, transaction, cancellationToken));
        var deleted = await connection.ExecuteAsync(SqlSession.Command(
            "DELETE FROM inference_log WHERE model = @model AND at < @boundary", new { model, boundary }, transaction, cancellationToken));
        if (deleted < excess)
        {
            deleted += await connection.ExecuteAsync(SqlSession.Command("""
                DELETE FROM inference_log WHERE model = @model AND at = @boundary AND (request_id, row_index) IN (
                    SELECT request_id, row_index FROM inference_log WHERE model = @model AND at = @boundary
                     ORDER BY request_id, row_index LIMIT @rest)
                """, new { model, boundary, rest = excess - deleted }, transaction, cancellationToken));
        }

        return deleted;
    }

    private static (string Where, DynamicParameters Parameters) Where(InferenceWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window.Limit);
        var parameters = new DynamicParameters(new { model = window.Model, from = Ms.Of(window.From), to = Ms.Of(window.To), limit = (long)window.Limit });
        var where = "model = @model AND at >= @from AND at < @to";
        if (window.Version is { } version)
        {
            parameters.Add("version", (long)version);
            where += " AND version = @version";
        }

        return (where, parameters);
    }

    private static void AddParameters(DbCommand command)
    {
        foreach (var column in Columns)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = column;
            command.Parameters.Add(parameter);
        }
    }

    private static void Bind(DbCommand command, InferenceRecord record) => Bind(command.Parameters, record);

    private static void Bind(DbParameterCollection parameters, InferenceRecord record)
    {
        parameters[0].Value = record.RequestId;
        parameters[1].Value = (long)record.Row;
        parameters[2].Value = record.Model;
        parameters[3].Value = (long)record.Version;
        parameters[4].Value = Ms.Of(record.At);
        parameters[5].Value = record.Inputs;
        parameters[6].Value = record.Prediction;
    }

    private sealed class InferenceRow
    {
        public string RequestId { get; set; } = "";
        public long RowIndex { get; set; }
        public string Model { get; set; } = "";
        public long Version { get; set; }
        public long At { get; set; }
        public string Inputs { get; set; } = "";
        public string Prediction { get; set; } = "";
        public string? Label { get; set; }
        public long? LabeledAt { get; set; }

        public InferenceRecord ToRecord() => new(RequestId, (int)RowIndex, Model, (int)Version, Ms.At(At), Inputs, Prediction);
    }

    private sealed class CrowdedModel
    {
        public string Model { get; set; } = "";
        public long RowCount { get; set; }
    }
}
