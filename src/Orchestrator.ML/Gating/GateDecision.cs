namespace Orchestrator.ML.Gating;

/// <summary>One check a gate made: which metric, which kind (min, max, change) and why it passed or failed.</summary>
public sealed record GateCheck(string Metric, string Kind, bool Passed, string Reason);

/// <summary>Whether the candidate is blessed. <see cref="Reasons"/>: the failed checks' reasons when rejected, every
/// check's reason when blessed; <see cref="Checks"/> has them all.</summary>
public sealed record GateDecision(bool Blessed, IReadOnlyList<string> Reasons, IReadOnlyList<GateCheck> Checks);
