using Npgsql;

namespace Orchestrator.Engine.Scheduling.Clustered;

/// <summary>Where Quartz keeps its jobs and triggers: in memory (embedded mode, the default), or in the clustered
/// AdoJobStore on PostgreSQL (schema <c>quartz</c>, created by <c>orchestrator db migrate</c>) so several scheduler
/// processes share one set of triggers and each fire is taken by exactly one of them.</summary>
public abstract record QuartzStore
{
    private protected QuartzStore()
    {
    }

    /// <summary>Quartz's RAM job store: one scheduler process, nothing shared.</summary>
    public static QuartzStore Ram { get; } = new RamQuartzStore();

    /// <summary>The clustered AdoJobStore on <paramref name="connectionString"/>. A node that has not checked in for
    /// <paramref name="checkinInterval"/> plus <paramref name="checkinMisfireThreshold"/> is presumed dead and the
    /// others recover its triggers (defaults: 5 s and 10 s).</summary>
    /// <exception cref="ArgumentException">The connection string is not one Npgsql accepts, or an interval is not positive.</exception>
    public static QuartzStore ClusteredPostgres(string connectionString, TimeSpan? checkinInterval = null, TimeSpan? checkinMisfireThreshold = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // refuses unknown keywords now, not at the first fire
        var interval = checkinInterval ?? TimeSpan.FromSeconds(5);
        var threshold = checkinMisfireThreshold ?? TimeSpan.FromSeconds(10);
        if (interval <= TimeSpan.Zero || threshold <= TimeSpan.Zero)
        {
            throw new ArgumentException($"checkinInterval ({interval}) and checkinMisfireThreshold ({threshold}) must be positive");
        }

        return new ClusteredPostgresQuartzStore(connectionString, interval, threshold);
    }
}

/// <summary>See <see cref="QuartzStore.Ram"/>.</summary>
public sealed record RamQuartzStore : QuartzStore;

/// <summary>See <see cref="QuartzStore.ClusteredPostgres"/>. Its text form leaves the password out.</summary>
public sealed record ClusteredPostgresQuartzStore(string ConnectionString, TimeSpan CheckinInterval, TimeSpan CheckinMisfireThreshold) : QuartzStore
{
    /// <summary>Every node of one cluster uses this scheduler name; Quartz tells them apart by instance id (AUTO).</summary>
    public const string SchedulerName = "orchestrator";

    public override string ToString()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"clustered Quartz on postgresql://{builder.Host}:{builder.Port}/{builder.Database} (schema {QuartzSchema.Schema}, check-in every {CheckinInterval.TotalSeconds:0.###} s)";
    }
}
