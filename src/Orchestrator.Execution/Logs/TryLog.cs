namespace Orchestrator.Execution.Logs;

/// <summary>The lines logged during one try, in order. Thread-safe: a shell's stdout and stderr write concurrently.</summary>
public sealed class TryLog
{
    private readonly List<TaskLogLine> _lines = [];
    private readonly TimeProvider _time;
    private readonly Action<TaskLogLine>? _onLine;

    public TryLog(TimeProvider time, Action<TaskLogLine>? onLine = null)
    {
        _time = time;
        _onLine = onLine;
    }

    public void Write(string level, string message)
    {
        var line = new TaskLogLine(_time.GetUtcNow(), level, message);
        lock (_lines)
        {
            _lines.Add(line);
        }

        _onLine?.Invoke(line);
    }

    public IReadOnlyList<TaskLogLine> Snapshot()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }
}
