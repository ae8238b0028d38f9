using System.Text.Json;
using Orchestrator.Application.Queries.Runs;

namespace Orchestrator.Application.Queries.Dags;

/// <summary>A DAG as the DAGs list shows it. <c>NextRunAt</c> is null when it is paused or has no schedule.</summary>
public sealed record DagSummary(
    string DagId, string? Description, string? Schedule, DateTimeOffset? NextRunAt, bool IsPaused, bool IsActive,
    string FilePath, string LatestVersion, IReadOnlyList<RecentRun> RecentRuns);

/// <summary>One of a DAG's newest runs, for the DAGs list's dots.</summary>
public sealed record RecentRun(string RunId, string State, DateTimeOffset LogicalDate);

/// <summary>A DAG with its params and tasks (of its latest version).</summary>
public sealed record DagDetail(
    string DagId, string? Description, string? Schedule, DateTimeOffset? NextRunAt, bool IsPaused, bool IsActive,
    string FilePath, string LatestVersion, IReadOnlyList<RecentRun> RecentRuns,
    int MaxActiveRuns, IReadOnlyDictionary<string, ParamView> Params, IReadOnlyList<TaskView> Tasks);

/// <summary>A DAG param: its default and the JSON type of that default. A param whose name looks sensitive (password,
/// token, …) shows <c>***</c> as its default and <see cref="Masked"/> true: a run that leaves it out keeps the default.</summary>
public sealed record ParamView(JsonElement Default, string Type, bool Masked = false);

/// <summary>A task as the DAG declares it.</summary>
public sealed record TaskView(string TaskId, string Type, IReadOnlyList<string> Upstream, string TriggerRule, int Retries, string Queue);

/// <summary>The source text of one version of a DAG's file.</summary>
public sealed record DagSource(string DagId, string Version, string FilePath, string Source);

/// <summary>A file that failed to load, as last seen.</summary>
public sealed record ImportErrorView(string FilePath, string Message, int? Line, int? Column, DateTimeOffset RecordedAt);

/// <summary>The grid: tasks in topological order, runs oldest first, <c>States[r][t]</c> the state of task t in run r
/// (null when that run's DAG version has no such task).</summary>
public sealed record GridView(string DagId, IReadOnlyList<string> Tasks, IReadOnlyList<RunSummary> Runs, IReadOnlyList<IReadOnlyList<string?>> States);

/// <summary>The graph of a DAG version with the states of one run (null without a run).</summary>
public sealed record GraphView(string DagId, string Version, string? RunId, int LayerCount, IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphEdge> Edges);

/// <summary>A task in the graph: its layer (0 = roots) and position within the layer.</summary>
public sealed record GraphNode(string TaskId, string Type, int Layer, int Order, string? State);

/// <summary>An edge from upstream to downstream.</summary>
public sealed record GraphEdge(string From, string To);
