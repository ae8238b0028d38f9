using System.Collections.Concurrent;
using Orchestrator.Core.Model;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>The leases a scheduler holds: one per run it drives ("run/ID"), so two schedulers never drive one run,
/// and named duties only one scheduler does at a time (starting queued runs, delivering events). Every write for a run
/// is fenced by its lease (<see cref="Runs.RunCoordinator.FenceFor"/>).</summary>
public sealed class RunLeases(ILeaseStore leases, ClusterOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, LeaseGrant> _held = new(StringComparer.Ordinal);

    public static string NameOf(RunId runId) => "run/" + runId.Value;

    public string Owner => options.ProcessName;

    /// <summary>Takes (or extends) the lease; false when another scheduler holds it.</summary>
    public async Task<bool> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await leases.TryAcquireAsync(name, Owner, now, now + options.LeaseTimeout, cancellationToken) is not { } grant)
        {
            _held.TryRemove(name, out _);
            return false;
        }

        _held[name] = grant;
        return true;
    }

    public Task<bool> TryAcquireAsync(RunId runId, CancellationToken cancellationToken) => TryAcquireAsync(NameOf(runId), cancellationToken);

    public LeaseGrant? Get(RunId runId) => _held.GetValueOrDefault(NameOf(runId));

    public bool Holds(string name) => _held.ContainsKey(name);

    /// <summary>Extends every lease held; returns the names lost (another owner took them while this one stalled).</summary>
    public async Task<IReadOnlyList<string>> RenewAsync(CancellationToken cancellationToken)
    {
        var held = _held.Values.ToList();
        var renewed = await leases.RenewAsync(held, time.GetUtcNow() + options.LeaseTimeout, cancellationToken);
        var lost = held.Where(l => !renewed.Contains(l.Name)).Select(l => l.Name).ToList();
        foreach (var name in lost)
        {
            _held.TryRemove(name, out _);
        }

        foreach (var lease in held.Where(l => renewed.Contains(l.Name)))
        {
            _held.TryUpdate(lease.Name, lease with { ExpiresAt = time.GetUtcNow() + options.LeaseTimeout }, lease);
        }

        return lost;
    }

    /// <summary>Gives a lease up (a finished run, a stopping scheduler): another scheduler can take it at once.</summary>
    public async Task ReleaseAsync(string name, CancellationToken cancellationToken)
    {
        if (_held.TryRemove(name, out var lease))
        {
            await leases.ReleaseAsync(lease, cancellationToken);
        }
    }

    public IReadOnlyCollection<string> Held => [.. _held.Keys];
}
