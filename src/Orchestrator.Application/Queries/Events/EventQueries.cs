using System.Text.Json;
using Orchestrator.Core.Events;
using Orchestrator.Core.States;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.Events;

/// <summary>Events newest first with the runs each triggered, and the event behind a run: the link from "drift
/// detected" to "retraining run" that the CLI, the API and the pages show. Payload values of sensitive-looking keys are
/// shown as <c>***</c>, as in a run's conf (the payload becomes one).</summary>
public sealed class EventQueries(IMetadataStore store, SensitiveNames sensitiveNames)
{
    /// <summary>Unknown kind: Invalid (field <c>kind</c>).</summary>
    public async Task<Page<EventView>> ListAsync(string? kind, string? subject, PageRequest page, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(kind) && !EventSubscriptions.Kinds.Contains(kind.Trim()))
        {
            throw ApplicationProblemException.Invalid($"kind '{kind}' is not an event kind ({string.Join(", ", EventSubscriptions.Kinds)})", "kind");
        }

        var (items, total) = await store.Events.ListAsync(
            new EventQuery(string.IsNullOrWhiteSpace(kind) ? null : kind.Trim(), string.IsNullOrWhiteSpace(subject) ? null : subject.Trim(), page.Offset, page.Limit),
            cancellationToken);
        var runs = (await store.Runs.ListByEventsAsync([.. items.Select(item => item.Id)], cancellationToken)).ToLookup(run => run.EventId);
        var views = items.Select(item => View(item, runs[item.Id])).ToList();
        return new Page<EventView>(views, total, page.Offset, page.Limit);
    }

    /// <summary>Unknown id: NotFound.</summary>
    public async Task<EventView> GetAsync(long id, CancellationToken cancellationToken)
    {
        var found = await store.Events.GetAsync(id, cancellationToken) ?? throw ApplicationProblemException.NotFound($"no event {id}");
        return View(found, await store.Runs.ListByEventsAsync([id], cancellationToken));
    }

    /// <summary>The events behind some runs (those created by one), by event id.</summary>
    public static async Task<IReadOnlyDictionary<long, RunEventLink>> LinksAsync(IMetadataStore store, IEnumerable<long?> eventIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(eventIds);
        var found = await store.Events.GetManyAsync([.. eventIds.OfType<long>().Distinct()], cancellationToken);
        return found.ToDictionary(e => e.Id, e => new RunEventLink(e.Id, e.Kind, e.Subject));
    }

    private EventView View(EventRecord record, IEnumerable<DagRunRecord> runs)
    {
        using var payload = JsonDocument.Parse(SensitiveConf.MaskJson(record.Payload, sensitiveNames));
        return new EventView(record.Id, record.Kind, record.Subject, payload.RootElement.Clone(), record.CreatedAt,
            new EventSource(record.SourceDagId, record.SourceRunId, record.SourceTaskId), record.DeliveredAt,
            [.. runs.OrderBy(r => r.DagId.Value, StringComparer.Ordinal).Select(r => new TriggeredRun(r.DagId.Value, r.RunId.Value, r.State.ToName()))]);
    }
}
