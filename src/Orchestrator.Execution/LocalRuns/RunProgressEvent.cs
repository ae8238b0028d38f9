using Orchestrator.Core.Model;
using Orchestrator.Core.States;

namespace Orchestrator.Execution.LocalRuns;

/// <summary>Something that happened during a run, for live progress: a task's state changed.</summary>
/// <param name="At">When it happened.</param>
/// <param name="TaskId">The task concerned.</param>
/// <param name="State">The task's new state (running, up_for_retry, success, failed, skipped, upstream_failed).</param>
/// <param name="TryNumber">The try concerned, 0 when the task never ran.</param>
/// <param name="Message">Why: the error, the retry time, or the trigger-rule decision.</param>
public sealed record RunProgressEvent(DateTimeOffset At, TaskId TaskId, TaskInstanceState State, int TryNumber, string? Message);
