using System.Globalization;
using System.Text;
using System.Text.Json;
using Orchestrator.Execution.Logs;
using Orchestrator.Execution.TaskTypes;

namespace Orchestrator.Execution.Shell;

/// <summary>Follows a shell's last non-empty stdout line, its output, within the output limit: a last line larger
/// than the limit fails the try instead of becoming an output nobody can use (and the engine must hold).</summary>
internal sealed class ShellOutputTracker(long maxOutputBytes)
{
    private string? _lastLine;
    private long _lastLineTooLong; // characters of a last line over the limit, 0 when it fits

    /// <summary>How many characters of a stdout line the pump must keep: enough for the log and for the output.</summary>
    public int KeepChars(int maxLineChars) => (int)Math.Clamp(Math.Max(maxLineChars, maxOutputBytes), 1, Array.MaxLength);

    /// <summary>One stdout line: its first characters (all of it when <paramref name="length"/> equals their count).</summary>
    public void OnLine(string line, long length)
    {
        var whole = length == line.Length;
        if (whole && string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        // Each character takes at least one UTF-8 byte, so a line cut by the pump is over the limit.
        var tooLong = !whole || Encoding.UTF8.GetByteCount(line) > maxOutputBytes;
        _lastLine = tooLong ? null : line;
        _lastLineTooLong = tooLong ? length : 0;
    }

    public JsonElement? Result()
    {
        if (_lastLineTooLong > 0)
        {
            throw new TaskFailedException(TaskOutputLimit.TooLarge(
                string.Create(CultureInfo.InvariantCulture, $"the last stdout line (the shell task's output) has {_lastLineTooLong:N0} characters"), maxOutputBytes));
        }

        return ShellOutput.FromLastLine(_lastLine);
    }
}
