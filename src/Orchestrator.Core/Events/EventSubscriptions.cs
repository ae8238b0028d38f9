using Orchestrator.Core.Model;

namespace Orchestrator.Core.Events;

/// <summary>Which DAGs an event triggers: those declaring a trigger of the event's kind naming its subject (the model
/// of a drift event, the dataset of a dataset event, the DAG of a dagSucceeded event).</summary>
public static class EventSubscriptions
{
    public const string Drift = "drift";
    public const string Dataset = "dataset";
    public const string DagSucceeded = "dagSucceeded";

    /// <summary>The event kinds a trigger may name.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [Drift, Dataset, DagSucceeded];

    /// <summary>The name a trigger waits on: its model, dataset name or DAG id by kind; null for an unknown kind.</summary>
    public static string? SubjectOf(DagEventTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return trigger.Event switch
        {
            Drift => trigger.Model,
            Dataset => trigger.Name,
            DagSucceeded => trigger.Dag,
            _ => null,
        };
    }

    public static bool Matches(DagEventTrigger trigger, string kind, string subject) =>
        string.Equals(trigger?.Event, kind, StringComparison.Ordinal) && string.Equals(SubjectOf(trigger!), subject, StringComparison.Ordinal);

    /// <summary>The DAGs triggered by an event, each once however many of its triggers match, in id order.</summary>
    public static IReadOnlyList<DagDefinition> Triggered(IEnumerable<DagDefinition> dags, string kind, string subject) =>
        [.. dags.Where(dag => dag.Triggers.Any(trigger => Matches(trigger, kind, subject))).OrderBy(dag => dag.Id.Value, StringComparer.Ordinal)];
}
