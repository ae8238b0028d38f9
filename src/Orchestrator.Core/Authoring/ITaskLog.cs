namespace Orchestrator.Core.Authoring;

/// <summary>The log of one try, line by line, as executors write it (levels such as <c>info</c>, <c>stdout</c>,
/// <c>stderr</c>, <c>error</c>). Lines are masked and bounded by <see cref="Limits"/>. A task class usually logs
/// through <see cref="TaskContext.Logger"/> instead, which writes here.</summary>
public interface ITaskLog
{
    LogLimits Limits { get; }

    /// <summary>Writes one line; <paramref name="cutChars"/> counts characters the caller already cut off the end
    /// of <paramref name="message"/> (a line too long to be read whole).</summary>
    void Write(string level, string message, long cutChars);

    void Write(string level, string message) => Write(level, message, 0);
}
