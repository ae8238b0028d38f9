using System.Text;
using System.Text.Json;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Ml;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>A recorded drift check as <c>/api/v1/models/{name}/drift</c> and <c>orchestrator models drift</c> show it.</summary>
public sealed record DriftCheckView(
    long Id, string? Model, int? Version, DateTimeOffset At, string? DagId, string? RunId, string? TaskId,
    bool Drifted, double Share, double ShareThreshold, IReadOnlyList<string> DriftedFeatures,
    long ReferenceRows, long CurrentRows, string Kind)
{
    public static DriftCheckView From(DriftCheckRecord check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return new(check.Id, check.Model, check.Version, check.At, check.CreatedBy.DagId, check.CreatedBy.RunId, check.CreatedBy.TaskId,
            check.Drifted, check.Share, check.ShareThreshold, check.DriftedFeatures, check.ReferenceRows, check.CurrentRows, check.Kind)
        {
            Summary = DriftCheckSummary.Of(check),
        };
    }

    /// <summary>The verdict in words: which features drifted of how many (data), or the live metric against the
    /// registered one (performance), where share and threshold alone read oddly.</summary>
    public string Summary { get; init; } = "";
}

/// <summary>One check with <see cref="Report"/>: the drift report artifact (ml.drift: every feature's test, statistic,
/// threshold, verdict and histograms), or for a check without one (ml.performance) what it compared; null when
/// neither is stored.</summary>
public sealed record DriftCheckDetail(
    long Id, string? Model, int? Version, DateTimeOffset At, string? DagId, string? RunId, string? TaskId,
    bool Drifted, double Share, double ShareThreshold, IReadOnlyList<string> DriftedFeatures,
    long ReferenceRows, long CurrentRows, string Kind, JsonElement? Report);

public interface IDriftQueries
{
    /// <summary>The model's checks, newest first. Bad name: Invalid (<c>name</c>); unknown model: NotFound.</summary>
    Task<Page<DriftCheckView>> ListAsync(string model, PageRequest page, CancellationToken cancellationToken);

    /// <summary>One check of the model with its report. Unknown model, or no such check of this model: NotFound.</summary>
    Task<DriftCheckDetail> GetAsync(string model, long checkId, CancellationToken cancellationToken);
}

internal sealed class DriftQueries(IMetadataStore store, IArtifactStore artifacts) : IDriftQueries
{
    public async Task<Page<DriftCheckView>> ListAsync(string model, PageRequest page, CancellationToken cancellationToken)
    {
        await RequireModelAsync(model, cancellationToken);
        var (items, total) = await store.DriftChecks.ListAsync(model, page.Offset, page.Limit, cancellationToken);
        return new Page<DriftCheckView>([.. items.Select(DriftCheckView.From)], total, page.Offset, page.Limit);
    }

    public async Task<DriftCheckDetail> GetAsync(string model, long checkId, CancellationToken cancellationToken)
    {
        await RequireModelAsync(model, cancellationToken);
        var check = checkId > 0 ? await store.DriftChecks.GetAsync(checkId, cancellationToken) : null;
        // A check of another model (or of two datasets) is not under this model's path.
        if (check is null || !string.Equals(check.Model, model, StringComparison.Ordinal))
            throw ApplicationProblemException.NotFound($"model '{model}' has no drift check {checkId}");
        var view = DriftCheckView.From(check);
        return new DriftCheckDetail(view.Id, view.Model, view.Version, view.At, view.DagId, view.RunId, view.TaskId, view.Drifted,
            view.Share, view.ShareThreshold, view.DriftedFeatures, view.ReferenceRows, view.CurrentRows, view.Kind,
            await ReportAsync(check, cancellationToken));
    }

    private async Task<JsonElement?> ReportAsync(DriftCheckRecord check, CancellationToken cancellationToken)
    {
        if (check.ReportDigest is { } digest && await artifacts.ExistsAsync(digest, cancellationToken))
        {
            await using var stream = await artifacts.OpenReadAsync(digest, cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return StoredJson.Parse(await reader.ReadToEndAsync(cancellationToken));
        }

        return check.DetailsJson is { } details ? StoredJson.Parse(details) : null;
    }

    private async Task RequireModelAsync(string name, CancellationToken cancellationToken)
    {
        if (MlNames.ModelNameProblem(name) is { } problem)
            throw ApplicationProblemException.Invalid(problem, "name");
        _ = await store.Models.GetModelAsync(name, cancellationToken) ?? throw ApplicationProblemException.NotFound($"no model '{name}'");
    }
}
