namespace Orchestrator.Execution.TaskTypes;

/// <summary>One task type as registered with <c>services.AddOrchestratorTaskType&lt;TExecutor&gt;(…)</c>: its name (the
/// key of its <see cref="ITaskExecutor"/> service) and the top-level args its executor renders itself.</summary>
public sealed record TaskTypeRegistration(string Name, IReadOnlyCollection<string> ArgsRenderedByExecutor);
