namespace Orchestrator.Execution.Logs;

/// <summary>One line of a try's log. <see cref="Level"/> is "info", "warning", "error", "debug", or "stderr"/"stdout" for shell output.</summary>
public sealed record TaskLogLine(DateTimeOffset At, string Level, string Message)
{
    public override string ToString() => $"{At:yyyy-MM-ddTHH:mm:ss.fffZ} [{Level}] {Message}";
}
