using Orchestrator.Core.Model;

namespace Orchestrator.Storage.Records;

/// <summary>A DAG as the store knows it: its latest version, whether it is paused, whether its file still exists.</summary>
public sealed record DagRecord(DagId DagId, string LatestVersion, string FilePath, string? Schedule, bool IsPaused, bool IsActive, DateTimeOffset UpdatedAt);

/// <summary>One version of a DAG file, kept so a run can be explained by the code it ran.</summary>
public sealed record DagVersionRecord(DagId DagId, string Version, string FilePath, string Source, DateTimeOffset FirstSeenAt);

/// <summary>A file that failed to load, as last seen.</summary>
public sealed record ImportErrorRecord(string FilePath, string Message, int? Line, int? Column, DateTimeOffset RecordedAt);
