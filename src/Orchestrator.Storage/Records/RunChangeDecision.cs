using Orchestrator.Core.Model;

namespace Orchestrator.Storage.Records;

/// <summary>A change request decided applied in the same transaction as the change it made
/// (<see cref="StateChangeBatch.DecidesRequest"/>): a driver dying after the commit leaves no request taken but
/// undecided, so no other driver applies it a second time. Written only while <see cref="Driver"/> still holds it taken.</summary>
public sealed record RunChangeDecision(long RequestId, string Driver, string Outcome, DateTimeOffset At)
{
    /// <summary>An applied request's outcome: the changed task ids, comma-separated (<see cref="RunChangeRequest.Outcome"/>).</summary>
    public static string OutcomeOf(IEnumerable<TaskId> changed) => string.Join(",", changed.Select(t => t.Value));
}
