using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>Experiment tracking as the experiments pages and <c>/api/v1/experiments</c> read it.</summary>
public interface IExperimentQueries
{
    /// <summary>Experiments by id, with their run counts and newest run start.</summary>
    Task<Page<ExperimentSummary>> ListAsync(PageRequest page, CancellationToken cancellationToken);

    /// <summary>The experiment's runs in <paramref name="sort"/> order (see <see cref="TrackingRunSort"/>).</summary>
    Task<Page<TrackingRunView>> ListRunsAsync(string experimentId, TrackingRunSort sort, PageRequest page, CancellationToken cancellationToken);

    Task<TrackingRunDetail> GetRunAsync(string trackingRunId, CancellationToken cancellationToken);
}

internal sealed class ExperimentQueries(IMetadataStore store, SensitiveNames sensitive) : IExperimentQueries
{
    public async Task<Page<ExperimentSummary>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var (items, total) = await store.Tracking.ListExperimentSummariesAsync(page.Offset, page.Limit, cancellationToken);
        return new Page<ExperimentSummary>(
            [.. items.Select(item => new ExperimentSummary(item.Experiment.Id, item.Experiment.Name, item.RunCount, item.LastRunAt))], total, page.Offset, page.Limit);
    }

    public async Task<Page<TrackingRunView>> ListRunsAsync(string experimentId, TrackingRunSort sort, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sort);
        var experiment = await store.Tracking.FindExperimentAsync(experimentId, cancellationToken)
            ?? throw ApplicationProblemException.NotFound($"no experiment '{experimentId}'");
        var runs = sort.Apply(await store.Tracking.ListRunsAsync(experiment.Id, cancellationToken));
        return new Page<TrackingRunView>([.. runs.Skip(page.Offset).Take(page.Limit).Select(View)], runs.Count, page.Offset, page.Limit);
    }

    public async Task<TrackingRunDetail> GetRunAsync(string trackingRunId, CancellationToken cancellationToken)
    {
        var run = await store.Tracking.GetRunAsync(trackingRunId, cancellationToken)
            ?? throw ApplicationProblemException.NotFound($"no tracking run '{trackingRunId}'");
        var view = View(run);
        var history = run.Metrics.GroupBy(point => point.Key, StringComparer.Ordinal).ToDictionary(
            group => group.Key,
            group => (IReadOnlyList<MetricHistoryPoint>)[.. group.Select(point => new MetricHistoryPoint(point.Step, StoredJson.Finite(point.Value), point.At))],
            StringComparer.Ordinal);
        return new TrackingRunDetail(view.TrackingRunId, view.ExperimentId, view.Name, view.Status, view.StartedAt, view.EndedAt, view.Params, view.Metrics,
            view.Tags, view.DagId, view.RunId, view.TaskId, history);
    }

    private TrackingRunView View(TrackingRunRecord run)
    {
        // The store orders metrics by key, step, then time: the last point of a key is its latest value.
        var latest = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (var point in run.Metrics)
        {
            latest[point.Key] = StoredJson.Finite(point.Value);
        }

        return new TrackingRunView(run.RunId, run.ExperimentId, run.Name, run.Status.ToString().ToLowerInvariant(), run.StartedAt, run.EndedAt,
            StoredJson.Masked(run.Params, sensitive), latest, StoredJson.Masked(run.Tags, sensitive), run.CreatedBy.DagId, run.CreatedBy.RunId, run.CreatedBy.TaskId);
    }
}
