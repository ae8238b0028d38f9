using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Execution.Logs;

namespace Orchestrator.Cli.Output;

/// <summary>Live progress of a run on the error stream: each state change and each log line, as it happens.</summary>
internal sealed class RunProgressPrinter(TextWriter writer) : IProgress<RunProgressEvent>
{
    private readonly Lock _lock = new();

    public void Report(RunProgressEvent value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var tryText = value.TryNumber > 0 && value.State is TaskInstanceState.Running or TaskInstanceState.UpForRetry
            ? $" (try {value.TryNumber})"
            : "";
        var message = value.Message is null ? "" : $": {value.Message}";
        Write($"{value.At.ToLocalTime():HH:mm:ss} {value.TaskId} {value.State.ToName()}{tryText}{message}");
    }

    public void LogLine(TaskId task, int tryNumber, TaskLogLine line) =>
        Write($"{line.At.ToLocalTime():HH:mm:ss}   [{task} #{tryNumber} {line.Level}] {line.Message}");

    private void Write(string text)
    {
        lock (_lock)
        {
            writer.WriteLine(text);
        }
    }
}
