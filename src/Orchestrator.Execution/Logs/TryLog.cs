using System.Globalization;
using System.Text;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Secrets;

namespace Orchestrator.Execution.Logs;

/// <summary>The lines logged during one try, in order, bounded by <see cref="LogLimits"/>: every line is masked,
/// cut at <see cref="LogLimits.MaxLineChars"/>, and once the try's log reaches <see cref="LogLimits.MaxTryLogBytes"/>
/// further lines are only counted; <see cref="Complete"/> adds one line saying how many were dropped. Accepted lines
/// go to the <c>onLine</c> callback as they come (the live log) and, when <c>keepLines</c>, into
/// <see cref="Snapshot"/> (for callers that record the log after the try, such as <c>dags test</c>).
/// Thread-safe: a shell's stdout and stderr write concurrently.</summary>
public sealed class TryLog : ITaskLog
{
    private readonly Lock _lock = new();
    private readonly List<TaskLogLine> _lines = [];
    private readonly TimeProvider _time;
    private readonly Action<TaskLogLine>? _onLine;
    private readonly ISecretMasker _masker;
    private readonly bool _keepLines;
    private long _storedBytes;
    private long _droppedLines;
    private bool _completed;

    public TryLog(TimeProvider time, Action<TaskLogLine>? onLine = null, LogLimits? limits = null, ISecretMasker? masker = null, bool keepLines = true)
    {
        _time = time;
        _onLine = onLine;
        Limits = limits ?? LogLimits.Default;
        _masker = masker ?? NoSecretMasker.Instance;
        _keepLines = keepLines;
    }

    public LogLimits Limits { get; }

    /// <summary>Lines counted but not stored because the try's log was full.</summary>
    public long DroppedLines
    {
        get
        {
            lock (_lock)
            {
                return _droppedLines;
            }
        }
    }

    public void Write(string level, string message) => Write(level, message, 0);

    /// <summary>Writes one line; <paramref name="cutChars"/> counts characters the caller already skipped after
    /// <paramref name="message"/> (a shell line too long to be read whole).</summary>
    public void Write(string level, string message, long cutChars)
    {
        var line = new TaskLogLine(_time.GetUtcNow(), level, Cut(_masker.Mask(message), cutChars));
        var bytes = PrintedBytes(line);
        lock (_lock)
        {
            // Once full, the stored log stays a prefix of what was printed: later short lines are dropped too.
            if (_droppedLines > 0 || _storedBytes + bytes > Limits.MaxTryLogBytes)
            {
                _droppedLines++;
                return;
            }

            _storedBytes += bytes;
            Accept(line);
        }
    }

    /// <summary>Ends the log: when lines were dropped, adds the one line that says how many (beyond the cap, so it
    /// is always there). Returns the kept lines, as <see cref="Snapshot"/>.</summary>
    public IReadOnlyList<TaskLogLine> Complete()
    {
        lock (_lock)
        {
            if (!_completed && _droppedLines > 0)
            {
                Accept(new TaskLogLine(_time.GetUtcNow(), "warning", string.Create(CultureInfo.InvariantCulture,
                    $"[{_droppedLines:N0} more lines dropped: this try's log reached its limit of {TaskOutputLimit.Size(Limits.MaxTryLogBytes)}]")));
            }

            _completed = true;
            return [.. _lines];
        }
    }

    public IReadOnlyList<TaskLogLine> Snapshot()
    {
        lock (_lock)
        {
            return [.. _lines];
        }
    }

    // Called under the lock so the callback sees lines in the same order as the snapshot.
    private void Accept(TaskLogLine line)
    {
        if (_keepLines)
        {
            _lines.Add(line);
        }

        _onLine?.Invoke(line);
    }

    /// <summary>A line's size as <c>tasks logs</c> prints it ("2026-01-01T00:00:00.000Z [level] message\n"), so that
    /// empty lines count too: a million of them must not fit in a log limit of a few megabytes.</summary>
    public static long PrintedBytes(TaskLogLine line) => 29 + line.Level.Length + Encoding.UTF8.GetByteCount(line.Message);

    private string Cut(string message, long cutChars)
    {
        var max = Limits.MaxLineChars;
        if (message.Length > max)
        {
            var keep = char.IsHighSurrogate(message[max - 1]) ? max - 1 : max; // never split a surrogate pair
            cutChars += message.Length - keep;
            message = message[..keep];
        }

        return cutChars == 0 ? message : LineMarker.Append(message, cutChars);
    }
}
