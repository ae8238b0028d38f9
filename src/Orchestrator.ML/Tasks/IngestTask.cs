using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Data;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tasks;

/// <summary><c>ml.ingest {path, separator?, name?, categorical?, numeric?, allowEmpty?}</c>: reads a CSV file once (hash,
/// schema, profile), keeps its bytes in the artifact store under their digest (the same bytes are stored once) and
/// records the dataset version. Bad files (ragged rows, text in a column <c>numeric</c> declares) fail naming the line
/// and column.</summary>
public sealed class IngestTask(IMetadataStore store, IArtifactStore artifacts) : ITaskExecutor
{
    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        context.RequireKnownArgs("path", "separator", "name", "categorical", "numeric", "allowEmpty");
        var args = context.Args;
        var path = args.RequirePath("path");
        if (!File.Exists(path))
        {
            // Retried, unlike an arg error: a daily extract that lands late is there at the next try.
            throw new TaskFailedException($"task '{context.TaskId}': args.path is '{path}', which is not a file (yet)");
        }

        var separatorArg = args.GetString("separator");
        char separator;
        try
        {
            separator = CsvSeparator.Parse(separatorArg);
        }
        catch (ArgumentException bad)
        {
            throw context.ArgError("separator", bad.Message);
        }

        var name = args.GetString("name") ?? Path.GetFileNameWithoutExtension(path);
        // Without a declaration a column with one text value is inferred categorical; declaring it numeric makes that
        // value an error naming its line, instead of a silently changed schema.
        var numeric = args.GetStringList("numeric");
        var options = new IngestOptions
        {
            Format = new CsvFormat(separator),
            Schema = numeric is null ? null : new DatasetSchema([.. numeric.Select(column => new DatasetColumn(column, ColumnKind.Numeric))]),
            Categorical = args.GetStringList("categorical") ?? [],
            AllowEmpty = args.GetBool("allowEmpty") ?? false,
        };

        IngestResult result;
        try
        {
            result = await DatasetIngestor.IngestAsync(path, options, cancellationToken);
        }
        catch (DatasetFormatException bad)
        {
            throw new TaskFailedException(bad.Message);
        }
        catch (ArgumentException conflict) when (numeric is not null)
        {
            throw context.ArgError("numeric", conflict.Message);
        }

        // Stored from a second read, hashed again: if the file changed after the first read, the digests differ and
        // nothing is recorded under a digest its bytes do not have.
        var stored = await artifacts.PutFileAsync(path, knownDigest: null, cancellationToken);
        if (stored.Digest != result.Digest)
        {
            throw new TaskFailedException($"'{path}' changed while it was being ingested; try again once it is complete");
        }

        var record = new DatasetVersionRecord(result.Digest, name, path, result.SizeBytes, result.Rows,
            result.Schema.ToJson(), result.Profile.ToJson(), context.Time.GetUtcNow(), context.Lineage());
        var (version, created) = await store.Datasets.RecordAsync(record, cancellationToken);
        context.Logger.LogInformation("{Name}: {Rows} rows, {Columns} columns ({Kinds}); dataset {Digest}{Seen}",
            name, result.Rows, result.Schema.Columns.Count,
            string.Join(", ", result.Schema.Columns.Select(c => $"{c.Name}:{c.Kind.ToString().ToLowerInvariant()}")),
            result.Digest[..12], created ? "" : $" (same bytes as '{version.Name}' recorded {version.CreatedAt.ToString("u", CultureInfo.InvariantCulture)})");

        if (created)
        {
            await EmitDatasetEventAsync(context, name, result, cancellationToken);
        }

        // This ingest's own reading of the bytes (its separator and kinds may differ from the first record's).
        var profile = await artifacts.PutAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(result.Profile.ToJson())), cancellationToken);
        return MlJson.ToElement(new DatasetOutput(MlOutputKinds.Dataset, result.Digest, name, result.Rows,
            [.. result.Schema.Columns.Select(c => c.Name)], separator == '\t' ? "\\t" : separator.ToString(),
            Schema: result.Schema.ToJson(), Profile: profile.Digest));
    }

    /// <summary>A new dataset version is a <c>dataset</c> event (DAGs with <c>{"event": "dataset", "name": NAME}</c> run
    /// on it), keyed by the version so a retried ingest emits it once.</summary>
    private async Task EmitDatasetEventAsync(TaskContext context, string name, IngestResult result, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["event"] = EventKinds.Dataset,
            ["dataset"] = name,
            ["version"] = result.Digest,
            ["rows"] = result.Rows,
            ["dagId"] = context.DagId.Value,
            ["runId"] = context.RunId.Value,
        });
        var (recorded, emitted) = await store.Events.EmitAsync(
            new NewEvent(EventKinds.Dataset, name, payload, $"dataset:{name}:{result.Digest}", context.Time.GetUtcNow())
            {
                SourceDagId = context.DagId.Value,
                SourceRunId = context.RunId.Value,
                SourceTaskId = context.TaskId.Value,
            }, cancellationToken);
        if (emitted)
        {
            context.Logger.LogInformation("dataset event {EventId} emitted for {Name}", recorded.Id, name);
        }
    }
}
