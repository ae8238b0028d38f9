using System.Globalization;
using System.Text.Json;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

// Rows of the ML tables (migration 005) and their conversion to records.

internal static class Lineage
{
    public const string Columns = "lineage_dag_id, lineage_run_id, lineage_task_id, lineage_try";

    /// <summary>Only a record made by a task of a DAG run can be recognised when that task writes it again.</summary>
    public static bool IsTaskOfRun(RunLineage lineage) => lineage is { DagId: not null, RunId: not null, TaskId: not null };

    public static object Parameters(RunLineage lineage) => new
    {
        lineageDagId = lineage.DagId,
        lineageRunId = lineage.RunId,
        lineageTaskId = lineage.TaskId,
        lineageTry = (long?)lineage.TryNumber,
    };
}

/// <summary>String maps (tags) stored as a JSON object, keys in ordinal order so equal maps are equal text.</summary>
internal static class JsonMap
{
    public static string Write(IReadOnlyDictionary<string, string>? map) =>
        JsonSerializer.Serialize((map ?? new Dictionary<string, string>()).OrderBy(pair => pair.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal));

    public static Dictionary<string, string> Read(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? new Dictionary<string, string>(StringComparer.Ordinal);
}

internal abstract class LineageRow
{
    public string? LineageDagId { get; set; }
    public string? LineageRunId { get; set; }
    public string? LineageTaskId { get; set; }
    public long? LineageTry { get; set; }

    protected RunLineage Lineage() => new(LineageDagId, LineageRunId, LineageTaskId, (int?)LineageTry);
}

internal class DatasetVersionRow : LineageRow
{
    public const string Columns = "digest, name, source, size_bytes, row_count, schema_json, profile_json, created_at, " + Sql.Lineage.Columns;

    public string Digest { get; set; } = "";
    public string Name { get; set; } = "";
    public string Source { get; set; } = "";
    public long SizeBytes { get; set; }
    public long RowCount { get; set; }
    public string SchemaJson { get; set; } = "";
    public string ProfileJson { get; set; } = "";
    public long CreatedAt { get; set; }

    public DatasetVersionRecord ToRecord() => new(Digest, Name, Source, SizeBytes, RowCount, SchemaJson, ProfileJson, Ms.At(CreatedAt), Lineage());
}

/// <summary>A dataset version with the name and time it is listed under.</summary>
internal sealed class DatasetListingRow : DatasetVersionRow
{
    public string ListedName { get; set; } = "";
    public long ListedAt { get; set; }
}

/// <summary>Offset and limit of a paged read, checked before they reach SQL.</summary>
internal static class Paging
{
    public static void Ensure(int offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
    }
}

internal sealed class RegisteredModelRow
{
    public const string Columns = "name, description, tags_json, created_at, updated_at";

    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string TagsJson { get; set; } = "{}";
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    public RegisteredModelRecord ToRecord(IReadOnlyDictionary<string, int> aliases) =>
        new(Name, Description, JsonMap.Read(TagsJson), Ms.At(CreatedAt), Ms.At(UpdatedAt), aliases);
}

internal sealed class AliasRow
{
    public string Name { get; set; } = "";
    public string Alias { get; set; } = "";
    public long Version { get; set; }
}

internal sealed class ModelVersionRow : LineageRow
{
    public const string Columns = "name, version, description, tags_json, artifact_digest, signature_json, dataset_digest, tracking_run_id, " +
        "params_json, metrics_json, created_at, " + Sql.Lineage.Columns;

    public string Name { get; set; } = "";
    public long Version { get; set; }
    public string? Description { get; set; }
    public string TagsJson { get; set; } = "{}";
    public string ArtifactDigest { get; set; } = "";
    public string SignatureJson { get; set; } = "";
    public string? DatasetDigest { get; set; }
    public string? TrackingRunId { get; set; }
    public string ParamsJson { get; set; } = "{}";
    public string MetricsJson { get; set; } = "{}";
    public long CreatedAt { get; set; }

    public ModelVersionRecord ToRecord() => new(
        Name, (int)Version, Description, JsonMap.Read(TagsJson), ArtifactDigest, SignatureJson, DatasetDigest, TrackingRunId, ParamsJson, MetricsJson,
        Ms.At(CreatedAt), Lineage());
}

internal sealed class AliasMoveRow
{
    public const string Columns = "name, alias, from_version, to_version, moved_at, moved_by, reason";

    public string Name { get; set; } = "";
    public string Alias { get; set; } = "";
    public long? FromVersion { get; set; }
    public long? ToVersion { get; set; }
    public long MovedAt { get; set; }
    public string MovedBy { get; set; } = "";
    public string? Reason { get; set; }

    public AliasMoveRecord ToRecord() => new(Name, Alias, (int?)FromVersion, (int?)ToVersion, Ms.At(MovedAt), MovedBy, Reason);
}

internal sealed class ExperimentRow
{
    public const string Columns = "id, name, created_at, tags_json";

    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long CreatedAt { get; set; }
    public string TagsJson { get; set; } = "{}";

    public ExperimentRecord ToRecord() => new(Id.ToString(CultureInfo.InvariantCulture), Name, Ms.At(CreatedAt), JsonMap.Read(TagsJson));
}

/// <summary>An experiment with its run count and newest run start, as the summary query groups them.</summary>
internal sealed class ExperimentSummaryRow
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long CreatedAt { get; set; }
    public string TagsJson { get; set; } = "{}";
    public long RunCount { get; set; }
    public long? LastRunAt { get; set; }

    public ExperimentRecord ToRecord() => new(Id.ToString(CultureInfo.InvariantCulture), Name, Ms.At(CreatedAt), JsonMap.Read(TagsJson));
}

internal sealed class TrackingRunRow : LineageRow
{
    public const string Columns = "run_id, experiment_id, name, status, started_at, ended_at, " + Sql.Lineage.Columns;

    public string RunId { get; set; } = "";
    public long ExperimentId { get; set; }
    public string Name { get; set; } = "";
    public string Status { get; set; } = "";
    public long StartedAt { get; set; }
    public long? EndedAt { get; set; }

    public TrackingRunRecord ToRecord(
        IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, string> tags, IReadOnlyList<MetricPoint> metrics,
        IReadOnlyList<DatasetInputRecord> datasets, IReadOnlyList<TrackedArtifactRecord> artifacts) =>
        new(RunId, ExperimentId.ToString(CultureInfo.InvariantCulture), Name, TrackingStatus.Parse(Status), Ms.At(StartedAt), Ms.At(EndedAt), Lineage(),
            parameters, tags, metrics, datasets, artifacts);
}

internal static class TrackingStatus
{
    public static string Name(TrackingRunStatus status) => status.ToString().ToUpperInvariant(); // MLflow's spelling: FINISHED

    public static TrackingRunStatus Parse(string name) =>
        Enum.TryParse<TrackingRunStatus>(name, ignoreCase: true, out var status) ? status : throw new InvalidDataException($"unknown tracking run status '{name}'");
}

internal sealed class RunKeyValueRow
{
    public string RunId { get; set; } = "";
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
}

internal sealed class MetricRow
{
    public string RunId { get; set; } = "";
    public string Key { get; set; } = "";
    public double? Value { get; set; }
    public long Step { get; set; }
    public long At { get; set; }

    public MetricPoint ToRecord() => new(Key, Value ?? double.NaN, Step, Ms.At(At));
}

internal sealed class DatasetInputRow
{
    public string RunId { get; set; } = "";
    public string Digest { get; set; } = "";
    public string Context { get; set; } = "";
}

internal sealed class ArtifactRow
{
    public string RunId { get; set; } = "";
    public string Path { get; set; } = "";
    public string Digest { get; set; } = "";
    public long SizeBytes { get; set; }
}
