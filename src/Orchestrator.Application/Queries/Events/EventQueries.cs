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
        var views = new List<EventView>(items.Count);
        foreach (var item in items)
        {
            views.Add(await ViewAsync(item, cancellationToken));
        }

        return new Page<EventView>(views, total, page.Offset, page.Limit);
    }

    /// <summary>Unknown id: NotFound.</summary>
    public async Task<EventView> GetAsync(long id, CancellationToken cancellationToken) =>
        await ViewAsync(await store.Events.GetAsync(id, cancellationToken) ?? throw ApplicationProblemException.NotFound($"no event {id}"), cancellationToken);

    /// <summary>The events behind some runs (those created by one), by event id.</summary>
    public static async Task<IReadOnlyDictionary<long, RunEventLink>> LinksAsync(IMetadataStore store, IEnumerable<long?> eventIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(eventIds);
        var links = new Dictionary<long, RunEventLink>();
        foreach (var id in eventIds.OfType<long>().Distinct())
        {
            if (await store.Events.GetAsync(id, cancellationToken) is { } found)
            {
                links[id] = new RunEventLink(found.Id, found.Kind, found.Subject);
            }
        }

        return links;
    }

    private async Task<EventView> ViewAsync(EventRecord record, CancellationToken cancellationToken)
    {
        var runs = await store.Runs.ListAsync(new RunQuery(Limit: 500) { EventId = record.Id }, cancellationToken);
        using var payload = JsonDocument.Parse(SensitiveConf.MaskJson(record.Payload, sensitiveNames));
        return new EventView(record.Id, record.Kind, record.Subject, payload.RootElement.Clone(), record.CreatedAt,
            new EventSource(record.SourceDagId, record.SourceRunId, record.SourceTaskId), record.DeliveredAt,
            [.. runs.OrderBy(r => r.DagId.Value, StringComparer.Ordinal).Select(r => new TriggeredRun(r.DagId.Value, r.RunId.Value, r.State.ToName()))]);
    }
}
