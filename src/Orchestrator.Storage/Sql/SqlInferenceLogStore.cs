using System.Data.Common;
using Dapper;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>The inference log on any SQL backend, in chunks (like SageMaker's data capture files): an append writes
/// one <c>inference_chunks</c> row per model holding all of that model's rows as JSON (<see cref="InferenceChunkCodec"/>),
/// so the database does one insert per batch instead of three b-tree inserts per scored row. A chunk's
/// [first_at, last_at] covers its rows' times and their request ids' embedded times: reads pick chunks by time, labels
/// by their id's time (<see cref="InferenceRequestIds"/>). A labelled row is copied into <c>inference_labels</c>, so
/// live metrics never decode chunks.</summary>
internal sealed class SqlInferenceLogStore(SqlSession session) : IInferenceLogStore
{
    // Label lookups fetch chunk texts this many at a time.
    private const int ChunksPerFetch = 16;

    private const string SelectLabeled = "request_id, row_index, model, version, at, inputs, prediction, label, labeled_at";

    /// <summary>No chunk spans more than this (an append whose rows are further apart is split): reads and label
    /// lookups then bound their search from below (first_at ≥ the earliest time wanted − this), so they stay cheap
    /// however long the log is. An hour: the writer's batches span at most a fraction of a second, so only a backlog
    /// or a caller's own times ever split.</summary>
    internal const long MaxChunkSpanMs = 3_600_000;

    public Task AppendAsync(IReadOnlyList<InferenceRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Encoded before the transaction: the JSON work is not done under the store's write lock.
        var chunks = records.GroupBy(r => r.Model, StringComparer.Ordinal).SelectMany(SpanBounded).Select(NewChunk).ToList();
        return session.WriteAsync(async (connection, transaction) =>
        {
            foreach (var chunk in chunks)
            {
                await connection.ExecuteAsync(SqlSession.Command(
                    "INSERT INTO inference_chunks (model, first_at, last_at, row_count, data) VALUES (@Model, @FirstAt, @LastAt, @RowCount, @Data)",
                    chunk, transaction, cancellationToken));
            }
        }, cancellationToken);
    }

    /// <summary>A model's rows in time order, cut wherever a chunk would span more than <see cref="MaxChunkSpanMs"/>.</summary>
    private static IEnumerable<IGrouping<string, InferenceRecord>> SpanBounded(IGrouping<string, InferenceRecord> rows)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rows.Key, "records[].Model");
        var current = new List<InferenceRecord>();
        long first = long.MaxValue, last = long.MinValue;
        foreach (var row in rows.OrderBy(r => Span(r).First))
        {
            var (rowFirst, rowLast) = Span(row);
            if (current.Count > 0 && Math.Max(last, rowLast) - Math.Min(first, rowFirst) > MaxChunkSpanMs)
            {
                yield return new Chunk(rows.Key, current);
                current = [];
                (first, last) = (long.MaxValue, long.MinValue);
            }

            current.Add(row);
            (first, last) = (Math.Min(first, rowFirst), Math.Max(last, rowLast));
        }

        yield return new Chunk(rows.Key, current);
    }

    /// <summary>The times a row's chunk must cover: its own and its request id's (normally the same instant).</summary>
    private static (long First, long Last) Span(InferenceRecord row)
    {
        var at = Ms.Of(row.At);
        return InferenceRequestIds.TryGetUnixMs(row.RequestId, out var idMs) ? (Math.Min(at, idMs), Math.Max(at, idMs)) : (at, at);
    }

    private sealed class Chunk(string model, List<InferenceRecord> rows) : IGrouping<string, InferenceRecord>
    {
        public string Key => model;

        public IEnumerator<InferenceRecord> GetEnumerator() => rows.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static NewChunkRow NewChunk(IGrouping<string, InferenceRecord> rows)
    {
        var list = rows.ToList();
        long first = long.MaxValue, last = long.MinValue;
        foreach (var row in list)
        {
            var at = Ms.Of(row.At);
            first = Math.Min(first, at);
            last = Math.Max(last, at);
            // Normally the same instant as at (serving makes both from one clock reading); covering it anyway keeps
            // a label able to find its row whatever time a caller gave the row.
            if (InferenceRequestIds.TryGetUnixMs(row.RequestId, out var idMs))
            {
                first = Math.Min(first, idMs);
                last = Math.Max(last, idMs);
            }
        }

        return new NewChunkRow(rows.Key, first, last, list.Count, InferenceChunkCodec.Encode(list));
    }

    public async Task<IReadOnlyList<InferenceLabel>> LabelAsync(string model, IReadOnlyList<InferenceLabel> labels, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(labels);
        var times = labels.Select(l => InferenceRequestIds.TryGetUnixMs(l.RequestId, out var ms) ? ms : (long?)null).ToArray();
        var found = await FindRowsAsync(model, labels, times, cancellationToken);

        var unknown = new List<InferenceLabel>();
        var matched = new List<LabelRow>();
        foreach (var label in labels)
        {
            if (found.TryGetValue((label.RequestId, label.Row), out var row))
            {
                matched.Add(LabelRow.Of(row, label.Label, Ms.Of(at)));
            }
            else
            {
                unknown.Add(label);
            }
        }

        if (matched.Count > 0)
        {
            // A later label for the same row replaces the earlier one: the last word on the ground truth wins.
            await session.WriteAsync((connection, transaction) => connection.ExecuteAsync(SqlSession.Command($"""
                INSERT INTO inference_labels ({SelectLabeled})
                VALUES (@RequestId, @RowIndex, @Model, @Version, @At, @Inputs, @Prediction, @Label, @LabeledAt)
                ON CONFLICT (request_id, row_index) DO UPDATE SET label = excluded.label, labeled_at = excluded.labeled_at
                """, matched, transaction, cancellationToken)), cancellationToken);
        }

        return unknown;
    }

    /// <summary>The logged rows the labels name, from the chunks of the model whose span holds a label id's time;
    /// each chunk is read and decoded once.</summary>
    private Task<Dictionary<(string, int), InferenceRecord>> FindRowsAsync(string model, IReadOnlyList<InferenceLabel> labels, long?[] times, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<(string, int)>(labels.Select(l => (l.RequestId, l.Row)));
        var sorted = times.OfType<long>().Distinct().Order().ToArray();
        var found = new Dictionary<(string, int), InferenceRecord>();
        if (sorted.Length == 0)
        {
            return Task.FromResult(found);
        }

        return session.ReadAsync(async connection =>
        {
            var spans = await connection.QueryAsync<ChunkSpan>(SqlSession.Command(
                "SELECT id, first_at, last_at FROM inference_chunks WHERE model = @model AND first_at <= @max AND first_at >= @lowest AND last_at >= @min",
                new { model, min = sorted[0], max = sorted[^1], lowest = sorted[0] - MaxChunkSpanMs }, null, cancellationToken));
            var holding = spans.Where(span => Holds(span, sorted)).ToList();
            await foreach (var chunk in ChunksAsync(connection, model, holding, cancellationToken))
            {
                foreach (var row in chunk)
                {
                    if (wanted.Contains((row.RequestId, row.Row)))
                    {
                        found[(row.RequestId, row.Row)] = row;
                    }
                }
            }

            return found;
        }, cancellationToken);
    }

    private static bool Holds(ChunkSpan span, long[] sorted)
    {
        var i = Array.BinarySearch(sorted, span.FirstAt);
        i = i >= 0 ? i : ~i; // the first time at or after the chunk's start
        return i < sorted.Length && sorted[i] <= span.LastAt;
    }

    public Task<IReadOnlyList<InferenceRecord>> ReadAsync(InferenceWindow window, CancellationToken cancellationToken)
    {
        Check(window);
        var from = Ms.Of(window.From);
        var to = Ms.Of(window.To);
        return session.ReadAsync<IReadOnlyList<InferenceRecord>>(async connection =>
        {
            // One streamed query by first_at: a window over many small chunks (a quiet model, or rows migration 011
            // moved one per chunk) costs one pass, not a query and a full re-sort per handful of chunks.
            await using var reader = await connection.ExecuteReaderAsync(SqlSession.Command(
                "SELECT first_at, data FROM inference_chunks WHERE model = @model AND first_at < @to AND first_at >= @lowest AND last_at >= @from ORDER BY first_at, id",
                new { model = window.Model, from, to, lowest = from - MaxChunkSpanMs }, null, cancellationToken));
            var kept = new List<InferenceRecord>();
            long? bound = null; // the Limit-th oldest row's time at the last trim: no row of a chunk starting later can make the cut
            while (await reader.ReadAsync(cancellationToken))
            {
                if (bound is { } b && reader.GetInt64(0) > b)
                {
                    break;
                }

                foreach (var row in InferenceChunkCodec.Decode(window.Model, reader.GetString(1)))
                {
                    // Compared in stored milliseconds, as the SQL above and ReadLabeledAsync compare.
                    var at = Ms.Of(row.At);
                    if (at >= from && at < to && (window.Version is not { } v || row.Version == v))
                    {
                        kept.Add(row);
                    }
                }

                // Trimmed when the Limit is first reached, then whenever it has doubled: sorting stays O(n log n).
                if (kept.Count >= (bound is null ? window.Limit : 2L * window.Limit))
                {
                    Trim(kept, window.Limit);
                    bound = Ms.Of(kept[^1].At);
                }
            }

            Trim(kept, window.Limit);
            return kept;
        }, cancellationToken);
    }

    private static void Trim(List<InferenceRecord> rows, int limit)
    {
        rows.Sort(ReadOrder);
        if (rows.Count > limit)
        {
            rows.RemoveRange(limit, rows.Count - limit);
        }
    }

    /// <summary>Reads' order: time, then request id and row (ordinal), so ties come back the same way every time.</summary>
    private static int ReadOrder(InferenceRecord a, InferenceRecord b)
    {
        var byTime = a.At.CompareTo(b.At);
        if (byTime != 0)
        {
            return byTime;
        }

        var byId = string.CompareOrdinal(a.RequestId, b.RequestId);
        return byId != 0 ? byId : a.Row.CompareTo(b.Row);
    }

    /// <summary>The decoded rows of the given chunks (one query for all of them).</summary>
    private static async IAsyncEnumerable<List<InferenceRecord>> ChunksAsync(
        DbConnection connection, string model, IReadOnlyList<ChunkSpan> spans, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var start = 0; start < spans.Count; start += ChunksPerFetch)
        {
            var (list, parameters) = SqlInList.Of(spans.Skip(start).Take(ChunksPerFetch).Select(span => span.Id));
            var texts = await connection.QueryAsync<string>(SqlSession.Command(
                $"SELECT data FROM inference_chunks WHERE id IN ({list})", parameters, null, cancellationToken));
            foreach (var text in texts)
            {
                yield return InferenceChunkCodec.Decode(model, text);
            }
        }
    }

    public Task<IReadOnlyList<LabeledInference>> ReadLabeledAsync(InferenceWindow window, CancellationToken cancellationToken)
    {
        Check(window);
        var parameters = new DynamicParameters(new { model = window.Model, from = Ms.Of(window.From), to = Ms.Of(window.To), limit = (long)window.Limit });
        var where = "model = @model AND at >= @from AND at < @to";
        if (window.Version is { } version)
        {
            parameters.Add("version", (long)version);
            where += " AND version = @version";
        }

        return session.ReadAsync<IReadOnlyList<LabeledInference>>(async connection => [.. (await connection.QueryAsync<LabelRow>(SqlSession.Command(
            $"SELECT {SelectLabeled} FROM inference_labels WHERE {where} ORDER BY at, request_id, row_index LIMIT @limit", parameters, null, cancellationToken)))
            .Select(row => row.ToLabeled())], cancellationToken);
    }

    private static void Check(InferenceWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window.Limit, "window.Limit");
    }

    /// <summary>Retention is by whole chunk: chunks whose newest row is older than <paramref name="cutoff"/> go, then
    /// per model the oldest chunks lying wholly beyond its newest <paramref name="maxRowsPerModel"/> rows, so up to
    /// one chunk more than the cap may stay. Labels older than their model's oldest kept row go with their rows.</summary>
    public async Task<int> PruneAsync(DateTimeOffset cutoff, int maxRowsPerModel, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRowsPerModel);
        var deleted = 0L;
        await session.WriteAsync(async (connection, transaction) =>
        {
            deleted = 0; // a write retried by the group commit starts over
            var old = new { cutoff = Ms.Of(cutoff) };
            deleted += await connection.ExecuteScalarAsync<long>(SqlSession.Command(
                "SELECT COALESCE(SUM(row_count), 0) FROM inference_chunks WHERE last_at < @cutoff", old, transaction, cancellationToken));
            await connection.ExecuteAsync(SqlSession.Command("DELETE FROM inference_chunks WHERE last_at < @cutoff", old, transaction, cancellationToken));

            var crowded = await connection.QueryAsync<string>(SqlSession.Command(
                "SELECT model FROM inference_chunks GROUP BY model HAVING SUM(row_count) > @max", new { max = (long)maxRowsPerModel }, transaction, cancellationToken));
            foreach (var model in crowded.ToList())
            {
                deleted += await TrimAsync(connection, transaction, model, maxRowsPerModel, cancellationToken);
            }

            await connection.ExecuteAsync(SqlSession.Command("""
                DELETE FROM inference_labels WHERE NOT EXISTS (
                    SELECT 1 FROM inference_chunks c WHERE c.model = inference_labels.model AND c.first_at <= inference_labels.at)
                """, null, transaction, cancellationToken));
        }, cancellationToken);
        return checked((int)deleted);
    }

    /// <summary>Deletes a model's chunks, newest first kept, from the first one whose newer chunks already hold
    /// <paramref name="keep"/> rows.</summary>
    private static async Task<long> TrimAsync(DbConnection connection, DbTransaction transaction, string model, int keep, CancellationToken cancellationToken)
    {
        var chunks = await connection.QueryAsync<ChunkCount>(SqlSession.Command(
            "SELECT id, row_count FROM inference_chunks WHERE model = @model ORDER BY first_at DESC, id DESC", new { model }, transaction, cancellationToken));
        var newer = 0L;
        var doomed = new List<ChunkCount>();
        foreach (var chunk in chunks)
        {
            if (newer >= keep)
            {
                doomed.Add(chunk);
            }

            newer += chunk.RowCount;
        }

        var deleted = 0L;
        foreach (var page in doomed.Chunk(500))
        {
            var (list, parameters) = SqlInList.Of(page.Select(c => c.Id));
            await connection.ExecuteAsync(SqlSession.Command($"DELETE FROM inference_chunks WHERE id IN ({list})", parameters, transaction, cancellationToken));
            deleted += page.Sum(c => c.RowCount);
        }

        return deleted;
    }

    private sealed record NewChunkRow(string Model, long FirstAt, long LastAt, long RowCount, string Data);

    private sealed class ChunkSpan
    {
        public long Id { get; set; }
        public long FirstAt { get; set; }
        public long LastAt { get; set; }
    }

    private sealed class ChunkCount
    {
        public long Id { get; set; }
        public long RowCount { get; set; }
    }

    private sealed class LabelRow
    {
        public string RequestId { get; set; } = "";
        public long RowIndex { get; set; }
        public string Model { get; set; } = "";
        public long Version { get; set; }
        public long At { get; set; }
        public string Inputs { get; set; } = "";
        public string Prediction { get; set; } = "";
        public string Label { get; set; } = "";
        public long LabeledAt { get; set; }

        public static LabelRow Of(InferenceRecord row, string label, long labeledAt) => new()
        {
            RequestId = row.RequestId, RowIndex = row.Row, Model = row.Model, Version = row.Version, At = Ms.Of(row.At),
            Inputs = row.Inputs, Prediction = row.Prediction, Label = label, LabeledAt = labeledAt,
        };

        public LabeledInference ToLabeled() =>
            new(new InferenceRecord(RequestId, (int)RowIndex, Model, (int)Version, Ms.At(At), Inputs, Prediction), Label, Ms.At(LabeledAt));
    }
}
