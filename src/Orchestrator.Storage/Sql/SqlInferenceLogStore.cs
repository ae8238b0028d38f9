using System.Data.Common;
using System.Text;
using Dapper;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>The inference log on any SQL backend. Appends are multi-row INSERTs of a fixed chunk size, the command
/// reused (and so prepared once) across the chunks of a batch, all in the batch's one transaction: the writer drains
/// thousands of rows at a time and a row-per-statement insert would cost a round trip each.</summary>
internal sealed class SqlInferenceLogStore(SqlSession session) : IInferenceLogStore
{
    // Measured (bench inference-append): Microsoft.Data.Sqlite binds parameters by name at a cost that grows with
    // their number, so 16+ rows a statement is slower than 1; 8 is as fast as 1 on SQLite and saves PostgreSQL 7 of
    // every 8 round trips.
    private const int ChunkRows = 8;
    private const int Columns = 7;
    private const string Select = "request_id, row_index, model, version, at, inputs, prediction";

    private static readonly string ChunkInsert = Insert(ChunkRows);

    public Task AppendAsync(IReadOnlyList<InferenceRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return Task.CompletedTask;
        }

        return session.WriteAsync(async (connection, transaction) =>
        {
            var full = records.Count / ChunkRows * ChunkRows;
            if (full > 0)
            {
                await using var chunk = Command(connection, transaction, ChunkInsert, ChunkRows);
                for (var start = 0; start < full; start += ChunkRows)
                {
                    Bind(chunk, records, start, ChunkRows);
                    await chunk.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            if (full < records.Count)
            {
                var rest = records.Count - full;
                await using var tail = Command(connection, transaction, Insert(rest), rest);
                Bind(tail, records, full, rest);
                await tail.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);
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

    private static string Insert(int rows)
    {
        var sql = new StringBuilder("INSERT INTO inference_log (request_id, row_index, model, version, at, inputs, prediction) VALUES ");
        for (var row = 0; row < rows; row++)
        {
            sql.Append(row == 0 ? "(" : ", (");
            for (var column = 0; column < Columns; column++)
            {
                sql.Append(column == 0 ? "@p" : ", @p").Append((row * Columns) + column);
            }

            sql.Append(')');
        }

        // An append retried after a commit that did happen (or a re-sent batch) adds nothing twice.
        return sql.Append(" ON CONFLICT (request_id, row_index) DO NOTHING").ToString();
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, int rows)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < rows * Columns; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static void Bind(DbCommand command, IReadOnlyList<InferenceRecord> records, int start, int rows)
    {
        var parameters = command.Parameters;
        for (var row = 0; row < rows; row++)
        {
            var record = records[start + row];
            var at = row * Columns;
            parameters[at].Value = record.RequestId;
            parameters[at + 1].Value = (long)record.Row;
            parameters[at + 2].Value = record.Model;
            parameters[at + 3].Value = (long)record.Version;
            parameters[at + 4].Value = Ms.Of(record.At);
            parameters[at + 5].Value = record.Inputs;
            parameters[at + 6].Value = record.Prediction;
        }
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
