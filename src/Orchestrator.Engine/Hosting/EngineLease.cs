using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Hosting;

/// <summary>One embedded engine per store, and never one beside a cluster's schedulers: the engine holds the store
/// lease <see cref="Name"/> while it runs, renewing it, so a second <c>standalone</c> on the same store (a PostgreSQL
/// one on another machine included, which the home's file lock cannot see) is refused with who holds it. A holder that
/// was a process of this machine and no longer runs (kill -9) is taken over at once instead of waiting out the lease.</summary>
public sealed class EngineLease : IAsyncDisposable
{
    public const string Name = "engine/embedded";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly ILeaseStore _leases;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _renewal;
    private readonly LeaseGrant _lease;

    private EngineLease(ILeaseStore leases, LeaseGrant lease, TimeProvider time, ILogger logger)
    {
        _leases = leases;
        _lease = lease;
        _time = time;
        _logger = logger;
        _renewal = time.CreateTimer(_ => _ = RenewAsync(), null, Timeout / 6, Timeout / 6);
    }

    /// <summary>Who holds it: host, process id and a random suffix of this engine (two engines in one process are two
    /// owners).</summary>
    public string Owner => _lease.Owner;

    private static string NewOwner() => $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Takes the lease, or throws <see cref="InvalidOperationException"/> naming who uses the store.</summary>
    public static async Task<EngineLease> AcquireAsync(ILeaseStore leases, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        var now = time.GetUtcNow();
        if (await leases.GetAsync(EmbeddedEngine.PickupLease, cancellationToken) is { } scheduler && scheduler.ExpiresAt > now && !IsDeadLocalProcess(scheduler.Owner))
        {
            throw new InvalidOperationException(
                $"this store is used by a cluster's schedulers ({scheduler.Owner} holds {scheduler.Name} until {scheduler.ExpiresAt:O}): standalone needs a store of its own, or run the cluster's roles");
        }

        var owner = NewOwner();
        var grant = await leases.TryAcquireAsync(Name, owner, now, now + Timeout, cancellationToken);
        if (grant is null && await leases.GetAsync(Name, cancellationToken) is { } held && IsDeadLocalProcess(held.Owner))
        {
            grant = await leases.TakeOverAsync(held, owner, now, now + Timeout, cancellationToken);
            if (grant is not null)
            {
                logger.LogInformation("Took over the store from engine {Holder}, which no longer runs", held.Owner);
            }
        }

        if (grant is null)
        {
            var holder = await leases.GetAsync(Name, cancellationToken);
            throw new InvalidOperationException(
                $"another engine drives this store ({holder?.Owner ?? "?"}, until {holder?.ExpiresAt:O} unless it renews): stop it first, or give this one a store of its own (--home or --storage)");
        }

        return new EngineLease(leases, grant, time, logger);
    }

    /// <summary>Whether a lease owner ("host:pid:suffix") is a process of this machine that no longer runs.</summary>
    public static bool IsDeadLocalProcess(string owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var parts = owner.Split(':');
        if (parts.Length != 3 || parts[0] != Environment.MachineName
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
    }

    private async Task RenewAsync()
    {
        try
        {
            var renewed = await _leases.RenewAsync([_lease], _time.GetUtcNow() + Timeout, CancellationToken.None);
            if (!renewed.Contains(Name))
            {
                _logger.LogError("The engine's lease on this store was taken by another process: two engines may now drive the same runs; stop one of them");
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogWarning("Renewing the engine's lease failed ({Error}); retrying", exception.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _renewal.DisposeAsync();
        try
        {
            await _leases.ReleaseAsync(_lease, CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogWarning("Releasing the engine's lease failed ({Error}); it runs out by itself", exception.Message);
        }
    }
}
