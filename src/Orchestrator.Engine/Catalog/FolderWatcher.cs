using Orchestrator.Loading.Folder;

namespace Orchestrator.Engine.Catalog;

/// <summary>Calls back soon after anything in the DAG folder changes: file-system watchers for promptness, and a
/// periodic check as a safety net (watchers miss events on some file systems). Changes are debounced so saving
/// several files refreshes once. Watchers do not follow symbolic links, so each real folder a link in the DAG
/// folder leads to gets a watcher of its own (once, by real path, which also keeps a loop of links finite); the
/// set is brought up to date on every change.</summary>
public sealed class FolderWatcher : IDisposable
{
    private readonly string _folder;
    private readonly TimeSpan _debounceDelay;
    private readonly ITimer _debounce;
    private readonly ITimer _periodic;
    private readonly Dictionary<string, FileSystemWatcher> _watchers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _disposed;

    public FolderWatcher(string folder, Action changed, TimeProvider time, TimeSpan debounce, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(changed);
        _folder = folder;
        _debounceDelay = debounce;
        _debounce = time.CreateTimer(_ => { UpdateWatchers(); changed(); }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _periodic = time.CreateTimer(_ => { UpdateWatchers(); changed(); }, null, period, period);
        UpdateWatchers();
    }

    /// <summary>The real folders watched now (for tests and diagnostics).</summary>
    public IReadOnlyList<string> WatchedFolders
    {
        get
        {
            lock (_gate)
            {
                return [.. _watchers.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var watcher in _watchers.Values)
            {
                watcher.Dispose();
            }

            _watchers.Clear();
        }

        _debounce.Dispose();
        _periodic.Dispose();
    }

    private void UpdateWatchers()
    {
        IReadOnlyList<string> roots;
        try
        {
            roots = DagFolderLoader.FindWatchRoots(_folder);
        }
        catch (IOException)
        {
            return; // the folder is gone or unreadable for now: the periodic check tries again
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var gone in _watchers.Keys.Except(roots).ToList())
            {
                _watchers.Remove(gone, out var watcher);
                watcher!.Dispose();
            }

            foreach (var root in roots.Where(root => !_watchers.ContainsKey(root)))
            {
                if (Watch(root) is { } watcher)
                {
                    _watchers[root] = watcher;
                }
            }
        }
    }

    private FileSystemWatcher? Watch(string folder)
    {
        try
        {
            var watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.DirectoryName };
            watcher.Changed += (_, _) => Changed();
            watcher.Created += (_, _) => Changed();
            watcher.Deleted += (_, _) => Changed();
            watcher.Renamed += (_, _) => Changed();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception exception) when (exception is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null; // vanished between the walk and now: the next update sees it again if it comes back
        }
    }

    private void Changed() => _debounce.Change(_debounceDelay, Timeout.InfiniteTimeSpan);
}
