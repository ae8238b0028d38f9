using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Pools;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Pools;

/// <summary>Cluster-wide pools: the CLI's <c>pools</c> commands, the API's <c>/pools</c> and the Pools page. Reading
/// is for everyone signed in; changing is for whoever may change Variables and Connections (admins), which the
/// callers enforce (the API's policies; the CLI acts on the store directly, as the home's owner).</summary>
public sealed partial class PoolService(IMetadataStore store, TimeProvider time, ILogger<PoolService>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Every pool with its usage, by name.</summary>
    public async Task<IReadOnlyList<PoolView>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await store.Pools.ListAsync(cancellationToken)).Select(PoolView.From)];

    /// <summary>One page of <see cref="ListAsync(CancellationToken)"/>.</summary>
    public async Task<Page<PoolView>> ListAsync(PageRequest page, CancellationToken cancellationToken) =>
        page.Of(await ListAsync(cancellationToken));

    /// <summary>The pool; unknown (or a name no pool can have): NotFound.</summary>
    public async Task<PoolView> GetAsync(string name, CancellationToken cancellationToken) =>
        await FindAsync(name, cancellationToken) ?? throw Missing(name);

    /// <summary>Creates the pool or replaces its slots and description (blank or null: none).</summary>
    public async Task<PoolSaved> SetAsync(string name, int slots, string? description, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        PoolRules.CheckName(name);
        PoolRules.CheckSlots(slots);
        var stored = PoolRules.Description(description);
        var existed = await FindAsync(name, cancellationToken) is not null;
        await store.Pools.SetAsync(name, slots, stored, time.GetUtcNow(), cancellationToken);
        LogSet(_logger, name, slots, actor.Name);
        return new PoolSaved(await GetAsync(name, cancellationToken), !existed);
    }

    /// <summary>Creates the pool or changes its slots, keeping the description it has (the CLI's <c>pools set</c>
    /// without <c>--description</c>).</summary>
    public async Task<PoolSaved> SetSlotsAsync(string name, int slots, Actor actor, CancellationToken cancellationToken)
    {
        PoolRules.CheckName(name);
        PoolRules.CheckSlots(slots);
        var existing = await FindAsync(name, cancellationToken);
        return await SetAsync(name, slots, existing?.Description, actor, cancellationToken);
    }

    /// <summary>Changes the given fields of an existing pool (null: unchanged; an empty description removes it).
    /// Unknown: NotFound; nothing to change: Invalid.</summary>
    public async Task<PoolView> UpdateAsync(string name, int? slots, string? description, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (slots is { } wanted)
        {
            PoolRules.CheckSlots(wanted);
        }

        var newDescription = description is null ? null : PoolRules.Description(description);
        if (slots is null && description is null)
        {
            throw ApplicationProblemException.Invalid("give slots, description or both to change", "slots");
        }

        var existing = await FindAsync(name, cancellationToken) ?? throw Missing(name);
        var finalSlots = slots ?? existing.Slots;
        await store.Pools.SetAsync(existing.Name, finalSlots, description is null ? existing.Description : newDescription, time.GetUtcNow(), cancellationToken);
        LogSet(_logger, existing.Name, finalSlots, actor.Name);
        return await GetAsync(name, cancellationToken);
    }

    /// <summary>Deletes the pool. Unknown: NotFound. Task instances queued, running or waiting in it: Conflict saying
    /// how many slots each holds or asks for, and nothing is deleted.</summary>
    public async Task DeleteAsync(string name, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!PoolNames.IsValid(name))
        {
            throw Missing(name);
        }

        switch (await store.Pools.DeleteAsync(name, cancellationToken))
        {
            case PoolDeleteOutcome.Deleted:
                LogDeleted(_logger, name, actor.Name);
                return;
            case PoolDeleteOutcome.NotFound:
                throw Missing(name);
            default:
                var usage = await store.Pools.GetAsync(name, cancellationToken);
                throw ApplicationProblemException.Conflict(InUse(name, usage));
        }
    }

    internal static string InUse(string name, PoolRecord? usage) =>
        $"pool '{name}' is in use" +
        (usage is null ? "" : $": {usage.Running} slot(s) held by running task instances, {usage.Queued} by queued ones, {usage.Waiting} asked for by ones waiting in scheduled") +
        "; delete it when they are done (set its slots to 0 to admit no more meanwhile)";

    private async Task<PoolView?> FindAsync(string name, CancellationToken cancellationToken) =>
        PoolNames.IsValid(name) && await store.Pools.GetAsync(name, cancellationToken) is { } pool ? PoolView.From(pool) : null;

    private static ApplicationProblemException Missing(string name) =>
        ApplicationProblemException.NotFound($"no pool '{name}'");

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool {Pool} set to {Slots} slots by {Actor}")]
    private static partial void LogSet(ILogger logger, string pool, int slots, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool {Pool} deleted by {Actor}")]
    private static partial void LogDeleted(ILogger logger, string pool, string actor);
}
