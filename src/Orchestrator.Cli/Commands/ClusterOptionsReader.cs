using System.CommandLine;
using Orchestrator.Cli.Hosting;
using Orchestrator.Core.Durations;
using Orchestrator.Engine.Cluster;

namespace Orchestrator.Cli.Commands;

/// <summary>The options of the distributed roles (<c>scheduler</c>, <c>worker</c>): the store must be PostgreSQL,
/// and the lease timeout says how soon a dead process's work is taken over.</summary>
internal sealed class ClusterOptionsReader
{
    public const string LeaseTimeoutVariable = "ORCHESTRATOR_LEASE_TIMEOUT";

    private readonly Option<string> _leaseTimeout = new("--lease-timeout")
    {
        Description = $"How long a worker's running task, or a scheduler's run, stays its own without a heartbeat; after that it is recorded lost ('worker lost') and retried, or taken over by another scheduler. Every process of a cluster should use the same (default ${LeaseTimeoutVariable}, else 30s).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(LeaseTimeoutVariable) is { Length: > 0 } value ? value : "30s",
    };

    public void AddTo(Command command) => command.Options.Add(_leaseTimeout);

    /// <summary>The cluster's options, or the error naming the option and what it expects.</summary>
    public (ClusterOptions? Options, string? Error) Read(ParseResult parse, string role)
    {
        var storage = CommonOptions.StorageOf(parse);
        if (!MetadataStores.IsPostgres(storage))
        {
            return (null, $"`{role}` runs in a cluster on PostgreSQL: set --storage or ORCHESTRATOR_STORAGE to its connection string (Host=…;Port=…;Username=…;Password=…;Database=…); on one machine, `standalone` runs everything in one process");
        }

        var leaseText = parse.GetValue(_leaseTimeout)!;
        if (!DurationParser.TryParse(leaseText, out var lease) || lease < TimeSpan.FromSeconds(1) || lease > TimeSpan.FromHours(1))
        {
            return (null, $"--lease-timeout / ${LeaseTimeoutVariable} '{leaseText}' must be a duration from 1s to 1h, such as 30s or 1m");
        }

        return (new ClusterOptions { ConnectionString = storage!, LeaseTimeout = lease }, null);
    }
}
