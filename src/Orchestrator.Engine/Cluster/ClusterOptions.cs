namespace Orchestrator.Engine.Cluster;

/// <summary>How the processes of a cluster share the work through the store (distributed mode). The timings trade
/// how fast a dead process is noticed against how many writes heartbeats cost.</summary>
public sealed class ClusterOptions
{
    /// <summary>The PostgreSQL connection string of the store; Hangfire's tables live in its <c>hangfire</c> schema.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>How long a worker's try, a scheduler's run, or a singleton duty stays owned without a renewal: after
    /// that a worker's try is recorded lost ("worker lost") and retried, and another scheduler takes the run over.
    /// Default: 30 s.</summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often leases are renewed (workers' heartbeats, schedulers' runs). Default: a sixth of the lease
    /// timeout, so a few renewals can fail (the database restarting) before anything is lost.</summary>
    public TimeSpan RenewInterval => LeaseTimeout / 6;

    /// <summary>How often a scheduler looks for reports of finished tries when no notification arrives. Default: 1 s.</summary>
    public TimeSpan ReportPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often Hangfire's workers look for queued jobs when no notification arrives. Default: 1 s.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a worker with free slots claims queued tries of its queues from the store when no
    /// notification arrives (the fast path's fallback: a lost NOTIFY delays a try by at most this). Default: 2 s.</summary>
    public TimeSpan ClaimPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a dispatched try may stay queued after its queue's NOTIFY before the scheduler hands it to
    /// Hangfire as well (one batch job per queue). Workers normally claim it within milliseconds, so Hangfire's
    /// per-job writes are paid only for tries no worker was free or listening for. Default: 1 s.</summary>
    public TimeSpan HangfireFallbackAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether a worker whose try succeeded starts a ready downstream task of its queues itself, in the same
    /// transaction as its report and in the same slot, instead of waiting for a scheduler to queue it and a worker to
    /// claim it (only all_success tasks without a pool, and only when nothing of a higher priority weight is queued
    /// for its queues; the run's scheduler adopts the try). Default: true.</summary>
    public bool FollowOn { get; set; } = true;

    /// <summary>How many tries a worker may claim beyond its free slots, in the same transaction, to start each the
    /// moment a slot frees instead of claiming it then: short tasks stop paying a database round trip and commit
    /// each. Only as many as its recent tries let it start within <see cref="ClaimAheadHold"/>; a try held longer is
    /// given back to the queue. 0 turns it off. Default: 64.</summary>
    public int ClaimAhead { get; set; } = 64;

    /// <summary>How long a try claimed ahead may wait for a worker's slot before it is given back (queued again,
    /// for any worker, without a try used up). Default: 500 ms.</summary>
    public TimeSpan ClaimAheadHold { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a stopping scheduler keeps trying to hand its last dispatches to Hangfire (the database may
    /// be down). What it cannot hand over is not lost: the tries are queued in the store, where workers claim them.
    /// Default: 30 s.</summary>
    public TimeSpan DispatchFlushOnStop { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>This process's name in the store (leases, tries, the workers table): host, process id and a random
    /// suffix, so a restarted process on the same host is a new owner.</summary>
    public string ProcessName { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
}
