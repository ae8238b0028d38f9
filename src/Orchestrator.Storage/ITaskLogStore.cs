using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>The log of each try. A try's lines are appended in batches while it runs (by one writer per try), so a
/// reader sees the lines written so far and can follow new ones by their <see cref="NumberedLogLine.Id"/>.</summary>
public interface ITaskLogStore
{
    Task AppendAsync(RunId runId, TaskId taskId, int tryNumber, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken);

    /// <summary>The try's lines in the order they were written.</summary>
    Task<IReadOnlyList<StoredLogLine>> ReadAsync(RunId runId, TaskId taskId, int tryNumber, CancellationToken cancellationToken);

    /// <summary>At most <paramref name="limit"/> of the try's lines written after the line numbered
    /// <paramref name="afterId"/> (0: from the first), in order, each with its number for the next call.</summary>
    Task<IReadOnlyList<NumberedLogLine>> ReadAfterAsync(RunId runId, TaskId taskId, int tryNumber, long afterId, int limit, CancellationToken cancellationToken);
}

/// <summary>A stored log line and its number: numbers grow in the order a try's lines were written.</summary>
public sealed record NumberedLogLine(long Id, StoredLogLine Line);
