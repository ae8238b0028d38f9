using System.Text.Json;
using Orchestrator.Application.Queries.Events;
using Orchestrator.Application.Queries.TaskInstances;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;

namespace Orchestrator.Application.Queries.Runs;

/// <summary>Run lists and a run's detail, with the values of sensitive conf keys shown as <c>***</c>.</summary>
public sealed class RunQueries(IMetadataStore store, SensitiveNames sensitiveNames)
{
    /// <summary>Runs newest first, of one DAG or all, in one state or any. Unknown DAG: NotFound; a state that is
    /// not a run state: Invalid (field <c>state</c>).</summary>
    public async Task<Page<RunSummary>> ListAsync(DagId? dagId, string? state, PageRequest page, CancellationToken cancellationToken)
    {
        var runs = await PageAsync(dagId, state, page, cancellationToken);
        var links = await EventQueries.LinksAsync(store, runs.Runs.Select(r => r.EventId), cancellationToken);
        return new Page<RunSummary>([.. runs.Runs.Select(run => Summary(run, links))], runs.Total, page.Offset, page.Limit);
    }

    /// <summary>As <see cref="ListAsync"/>, each run with its masked conf (what <c>runs list --output json</c> prints).</summary>
    public async Task<Page<RunWithConf>> ListWithConfAsync(DagId? dagId, string? state, PageRequest page, CancellationToken cancellationToken)
    {
        var runs = await PageAsync(dagId, state, page, cancellationToken);
        var links = await EventQueries.LinksAsync(store, runs.Runs.Select(r => r.EventId), cancellationToken);
        return new Page<RunWithConf>([.. runs.Runs.Select(run => new RunWithConf(Summary(run, links), MaskedConf(run.Conf)))], runs.Total, page.Offset, page.Limit);
    }

    /// <summary>The run as lists show it. Unknown run: NotFound.</summary>
    public async Task<RunSummary> GetSummaryAsync(RunId runId, CancellationToken cancellationToken)
    {
        var run = await store.Runs.GetAsync(runId, cancellationToken) ?? throw ApplicationProblemException.NotFound($"no run '{runId}'");
        return Summary(run, await EventQueries.LinksAsync(store, [run.EventId], cancellationToken));
    }

    /// <summary>The run with its masked conf and its task instances by task id. Unknown run: NotFound.</summary>
    public async Task<RunDetail> GetAsync(RunId runId, CancellationToken cancellationToken)
    {
        var run = await store.Runs.GetAsync(runId, cancellationToken) ?? throw ApplicationProblemException.NotFound($"no run '{runId}'");
        var tasks = await store.TaskInstances.ListAsync(runId, cancellationToken);
        var summary = Summary(run, await EventQueries.LinksAsync(store, [run.EventId], cancellationToken));
        return new RunDetail(summary.RunId, summary.DagId, summary.State, summary.RunType, summary.LogicalDate, summary.StartedAt,
            summary.EndedAt, summary.DurationMs, run.DagVersion, MaskedConf(run.Conf), [.. tasks.Select(TaskInstanceSummary.Of)])
        {
            Event = summary.Event,
        };
    }

    private static RunSummary Summary(Storage.Records.DagRunRecord run, IReadOnlyDictionary<long, RunEventLink> links) =>
        RunSummary.Of(run) with { Event = run.EventId is { } id ? links.GetValueOrDefault(id) : null };

    /// <summary>The one place a run's conf is masked for showing: values of sensitive-looking keys become <c>***</c>.</summary>
    private JsonElement MaskedConf(string conf)
    {
        using var masked = JsonDocument.Parse(SensitiveConf.MaskJson(conf, sensitiveNames));
        return masked.RootElement.Clone();
    }

    private async Task<RunPage> PageAsync(DagId? dagId, string? state, PageRequest page, CancellationToken cancellationToken)
    {
        var wanted = ParseState(state);
        if (dagId is { } id && await store.Dags.GetAsync(id, cancellationToken) is null)
        {
            throw ApplicationProblemException.NotFound($"no DAG '{id}'");
        }

        return await store.Dashboard.PageRunsAsync(new RunPageQuery(dagId, wanted, page.Offset, page.Limit), cancellationToken);
    }

    private static DagRunState? ParseState(string? state)
    {
        if (string.IsNullOrWhiteSpace(state))
        {
            return null;
        }

        return DagRunStates.TryParse(state.Trim(), out var parsed)
            ? parsed
            : throw ApplicationProblemException.Invalid($"state '{state}' is not a run state (queued, running, success, failed)", "state");
    }
}
