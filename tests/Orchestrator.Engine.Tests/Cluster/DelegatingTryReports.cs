using Orchestrator.Core.Model;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>A store's reports passed through to <paramref name="inner"/>: a test's wrapper overrides only what it
/// changes (an outage, a lost answer, a held report).</summary>
internal abstract class DelegatingTryReports(ITryReportStore inner) : ITryReportStore
{
    protected ITryReportStore Inner => inner;

    public virtual Task<bool> ReportAsync(TryReport report, CancellationToken cancellationToken) => inner.ReportAsync(report, cancellationToken);

    public virtual Task<ReportResult> ReportAsync(TryReport report, FollowOn? follow, CancellationToken cancellationToken) =>
        inner.ReportAsync(report, follow, cancellationToken);

    public virtual Task<IReadOnlyDictionary<TaskId, string>> OutputsAsync(RunId runId, CancellationToken cancellationToken) => inner.OutputsAsync(runId, cancellationToken);

    public Task<IReadOnlyList<TryReport>> ListAsync(IReadOnlyCollection<RunId>? runIds, int limit, CancellationToken cancellationToken) => inner.ListAsync(runIds, limit, cancellationToken);

    public Task<int> DeleteStaleAsync(CancellationToken cancellationToken) => inner.DeleteStaleAsync(cancellationToken);
}
