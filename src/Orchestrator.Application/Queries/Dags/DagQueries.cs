using System.Text.Json;
using Orchestrator.Application.Queries.Runs;
using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.States;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.Dags;

/// <summary>What the DAGs list, a DAG's page, its source and its import errors show. Reads the store (and DAG
/// versions rebuilt from it), never an engine's memory: the web server may run without one.</summary>
public sealed class DagQueries(IMetadataStore store, StoredDagVersions versions, TimeProvider time, SensitiveNames sensitive)
{
    /// <summary>How many of a DAG's newest runs the list shows.</summary>
    public const int RecentRunCount = 10;

    /// <summary>DAGs by id whose id contains <paramref name="search"/> (any case), one page.</summary>
    public async Task<Page<DagSummary>> ListAsync(string? search, PageRequest page, CancellationToken cancellationToken)
    {
        var all = await store.Dags.ListAsync(cancellationToken);
        var matching = string.IsNullOrWhiteSpace(search)
            ? all
            : [.. all.Where(dag => dag.DagId.Value.Contains(search.Trim(), StringComparison.OrdinalIgnoreCase))];
        var shown = matching.Skip(page.Offset).Take(page.Limit).ToList();
        var recent = (await store.Dashboard.RecentRunsAsync([.. shown.Select(dag => dag.DagId)], RecentRunCount, cancellationToken))
            .ToLookup(run => run.DagId);
        var items = new List<DagSummary>(shown.Count);
        foreach (var dag in shown)
        {
            var definition = (await versions.GetAsync(dag.DagId, dag.LatestVersion, cancellationToken))?.Definition;
            items.Add(Summarize(dag, definition, recent[dag.DagId]));
        }

        return new Page<DagSummary>(items, matching.Count, page.Offset, page.Limit);
    }

    /// <summary>The DAG with the params and tasks of its latest version. Unknown DAG: NotFound.</summary>
    public async Task<DagDetail> GetAsync(DagId dagId, CancellationToken cancellationToken)
    {
        var dag = await RequireAsync(dagId, cancellationToken);
        var definition = (await versions.GetAsync(dagId, dag.LatestVersion, cancellationToken))?.Definition;
        var recent = await store.Dashboard.RecentRunsAsync([dagId], RecentRunCount, cancellationToken);
        var summary = Summarize(dag, definition, recent);
        var tasks = definition?.Tasks ?? [];
        return new DagDetail(
            summary.DagId, summary.Description, summary.Schedule, summary.NextRunAt, summary.IsPaused, summary.IsActive,
            summary.FilePath, summary.LatestVersion, summary.RecentRuns,
            definition?.MaxActiveRuns ?? 0,
            ParamsOf(definition?.Params),
            [.. tasks.Select(task => new TaskView(task.Id.Value, task.Type, [.. task.DependsOn.Select(id => id.Value)],
                task.TriggerRule.ToName(), task.Retry.Retries, task.Queue))]);
    }

    /// <summary>The params with their types; the default of a sensitive-looking name (at any depth) is masked.</summary>
    private Dictionary<string, ParamView> ParamsOf(IReadOnlyDictionary<string, JsonElement>? values)
    {
        var all = values ?? new Dictionary<string, JsonElement>();
        var shown = SensitiveConf.Mask(all, sensitive);
        return all.ToDictionary(
            p => p.Key,
            p => new ParamView(shown[p.Key], JsonTypeOf(p.Value), sensitive.IsSensitive(p.Key)),
            StringComparer.Ordinal);
    }

    /// <summary>The DAG as the list shows it. Unknown DAG: NotFound.</summary>
    public async Task<DagSummary> GetSummaryAsync(DagId dagId, CancellationToken cancellationToken)
    {
        var dag = await RequireAsync(dagId, cancellationToken);
        var definition = (await versions.GetAsync(dagId, dag.LatestVersion, cancellationToken))?.Definition;
        return Summarize(dag, definition, await store.Dashboard.RecentRunsAsync([dagId], RecentRunCount, cancellationToken));
    }

    /// <summary>The source of <paramref name="version"/> (the latest when null). Unknown DAG or version: NotFound.</summary>
    public async Task<DagSource> SourceAsync(DagId dagId, string? version, CancellationToken cancellationToken)
    {
        var dag = await RequireAsync(dagId, cancellationToken);
        var wanted = string.IsNullOrWhiteSpace(version) ? dag.LatestVersion : version;
        var stored = await store.Dags.GetVersionAsync(dagId, wanted, cancellationToken)
            ?? throw ApplicationProblemException.NotFound($"DAG '{dagId}' has no version '{wanted}'");
        return new DagSource(dagId.Value, stored.Version, stored.FilePath, stored.Source);
    }

    /// <summary>The folder's import errors, by file.</summary>
    public async Task<Page<ImportErrorView>> ImportErrorsAsync(PageRequest page, CancellationToken cancellationToken) =>
        page.Of<ImportErrorView>([.. (await store.Dags.ListImportErrorsAsync(cancellationToken))
            .Select(e => new ImportErrorView(e.FilePath, e.Message, e.Line, e.Column, e.RecordedAt))]);

    internal async Task<DagRecord> RequireAsync(DagId dagId, CancellationToken cancellationToken) =>
        await store.Dags.GetAsync(dagId, cancellationToken) ?? throw ApplicationProblemException.NotFound($"no DAG '{dagId}'");

    private DagSummary Summarize(DagRecord dag, DagDefinition? definition, IEnumerable<DagRunRecord> recent) => new(
        dag.DagId.Value, definition?.Description, dag.Schedule, NextRunAt(dag, definition), dag.IsPaused, dag.IsActive,
        dag.FilePath, dag.LatestVersion, [.. recent.Take(RecentRunCount).Select(run => new RecentRun(run.RunId.Value, run.State.ToName(), run.LogicalDate))]);

    /// <summary>From the version's schedule, time zone and start; when the version cannot be read here, from the
    /// recorded schedule read in UTC. None when paused or unscheduled.</summary>
    private DateTimeOffset? NextRunAt(DagRecord dag, DagDefinition? definition)
    {
        if (dag.IsPaused || dag.Schedule is null)
        {
            return null;
        }

        var schedule = definition ?? new DagDefinition { Id = dag.DagId, Schedule = dag.Schedule };
        return SchedulePlanner.NextRun(schedule, time.GetUtcNow());
    }

    internal static string JsonTypeOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        _ => "null",
    };
}
