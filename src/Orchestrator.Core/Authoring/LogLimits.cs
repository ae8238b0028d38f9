namespace Orchestrator.Core.Authoring;

/// <summary>How much a try may print and return. One line of its log is cut at <see cref="MaxLineChars"/>; its
/// stored log stops at <see cref="MaxTryLogBytes"/> (later lines are only counted); its output may not exceed
/// <see cref="MaxOutputBytes"/> (a larger one fails the try). These keep the engine's memory and the store bounded
/// whatever a task prints.</summary>
public sealed record LogLimits
{
    public static LogLimits Default { get; } = new();

    /// <summary>Characters kept of one log line; the rest is replaced by a marker saying how many were cut.</summary>
    public int MaxLineChars { get; init; } = 64 * 1024;

    /// <summary>Bytes of log stored per try, each line counted as <c>tasks logs</c> prints it (time, level, UTF-8 text,
    /// newline); past it lines are counted, and one final line says how many.</summary>
    public long MaxTryLogBytes { get; init; } = 10L * 1024 * 1024;

    /// <summary>UTF-8 bytes of a task's output (its JSON); a larger output fails the try.</summary>
    public long MaxOutputBytes { get; init; } = 1024 * 1024;
}
