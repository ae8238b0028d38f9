using Orchestrator.Core.States;

namespace Orchestrator.Core.Runs;

/// <summary>A task whose fate was just decided: <see cref="TaskInstanceState.Scheduled"/> (run it now),
/// <see cref="TaskInstanceState.Skipped"/> or <see cref="TaskInstanceState.UpstreamFailed"/>.</summary>
public readonly record struct TaskDecision(int Task, TaskInstanceState State, string Reason);
