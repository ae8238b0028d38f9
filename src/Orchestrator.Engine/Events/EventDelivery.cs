using Microsoft.Extensions.Logging;
using Orchestrator.Core.Events;
using Orchestrator.Engine.Alerts;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Events;

/// <summary>Delivers the store's undelivered events: each DAG of the catalog whose triggers match gets one queued run
/// (conf = the event's payload, linked to the event), then the event is marked delivered. Run ids derive from the
/// event, so an engine that stops between creating the runs and marking the event creates no second run when it
/// delivers the event again after its restart: every event is delivered once.</summary>
public sealed class EventDelivery(IMetadataStore store, DagCatalog catalog, RunFactory runs, TimeProvider time, ILogger logger)
{
    private const int BatchSize = 100;

    /// <summary>Delivers what is waiting, a batch at a time; returns how many runs were created.</summary>
    public async Task<int> DeliverPendingAsync(CancellationToken cancellationToken)
    {
        var created = 0;
        while (true)
        {
            var pending = await store.Events.ListUndeliveredAsync(BatchSize, cancellationToken);
            foreach (var pendingEvent in pending)
            {
                created += await DeliverAsync(pendingEvent, cancellationToken);
            }

            if (pending.Count < BatchSize)
            {
                return created;
            }
        }
    }

    private async Task<int> DeliverAsync(EventRecord pendingEvent, CancellationToken cancellationToken)
    {
        var created = 0;
        var definitions = catalog.Current.Values.Select(dag => dag.Definition);
        foreach (var definition in EventSubscriptions.Triggered(definitions, pendingEvent.Kind, pendingEvent.Subject))
        {
            var dag = catalog.Current[definition.Id];
            var (runId, isNew) = await runs.CreateForEventAsync(dag, pendingEvent, cancellationToken);
            if (isNew)
            {
                created++;
                logger.LogInformation("Event {EventId} ({Kind} {Subject}) triggered run {RunId} of {DagId}",
                    pendingEvent.Id, pendingEvent.Kind, pendingEvent.Subject, runId, dag.Id);
            }
        }

        await RecordDriftAlertsAsync(pendingEvent, cancellationToken);
        await store.Events.MarkDeliveredAsync(pendingEvent.Id, time.GetUtcNow(), cancellationToken);
        return created;
    }

    /// <summary>A drift event fires the <c>onDrift</c> callbacks of the DAG (and task) that detected it, once: the
    /// alerts' dedupe keys carry the event id, so delivering the event again after a restart records nothing twice.</summary>
    private async Task RecordDriftAlertsAsync(EventRecord pendingEvent, CancellationToken cancellationToken)
    {
        if (pendingEvent.Kind != EventKinds.Drift || pendingEvent.SourceDagId is not { } source
            || !Core.Model.IdentifierRules.IsValid(source) || !catalog.Current.TryGetValue(new Core.Model.DagId(source), out var dag))
        {
            return;
        }

        var task = pendingEvent.SourceTaskId is { } taskId ? dag.Definition.Tasks.FirstOrDefault(t => t.Id.Value == taskId) : null;
        foreach (var alert in CallbackAlertRecords.ForDrift(dag.Definition, task, pendingEvent, time.GetUtcNow()))
        {
            await store.Alerts.RecordAsync(alert, cancellationToken);
        }
    }
}
