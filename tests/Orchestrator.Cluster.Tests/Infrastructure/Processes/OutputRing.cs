using System.Text.RegularExpressions;

namespace Orchestrator.Cluster.Tests.Infrastructure.Processes;

/// <summary>The last lines a process wrote (bounded, so a chatty process cannot fill memory), every line also
/// appended to a file, and waiters that complete when a line matches their pattern.</summary>
internal sealed class OutputRing : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<string> _lines = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly StreamWriter _file;
    private readonly int _capacity;
    private bool _disposed;

    public OutputRing(string file, int capacity)
    {
        _capacity = capacity;
        _file = new StreamWriter(file, append: true) { AutoFlush = true };
    }

    public void Add(string stream, string line)
    {
        var entry = $"[{stream}] {line}";
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _file.WriteLine(entry);
            _lines.Enqueue(entry);
            if (_lines.Count > _capacity)
            {
                _lines.Dequeue();
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Pattern.IsMatch(line))
                {
                    _waiters[i].Found.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>A task that completes with the first line (already seen or to come) matching the pattern.</summary>
    public Task<string> WhenLineAsync(Regex pattern)
    {
        lock (_gate)
        {
            foreach (var entry in _lines)
            {
                var line = entry[(entry.IndexOf(']', StringComparison.Ordinal) + 2)..];
                if (pattern.IsMatch(line))
                {
                    return Task.FromResult(line);
                }
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((pattern, found));
            return found.Task;
        }
    }

    public string Tail(int lines)
    {
        lock (_gate)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - lines)));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _file.Dispose();
        }
    }
}
