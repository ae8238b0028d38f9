namespace Orchestrator.Engine.Catalog;

/// <summary>Calls back soon after anything in the DAG folder changes: a file-system watcher for promptness, and a
/// periodic check as a safety net (watchers miss events on some file systems). Changes are debounced so saving
/// several files refreshes once.</summary>
public sealed class FolderWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _debounce;
    private readonly ITimer _periodic;

    public FolderWatcher(string folder, Action changed, TimeProvider time, TimeSpan debounce, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(time);
        _debounce = time.CreateTimer(_ => changed(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _periodic = time.CreateTimer(_ => changed(), null, period, period);
        _watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.DirectoryName };
        _watcher.Changed += (_, _) => _debounce.Change(debounce, Timeout.InfiniteTimeSpan);
        _watcher.Created += (_, _) => _debounce.Change(debounce, Timeout.InfiniteTimeSpan);
        _watcher.Deleted += (_, _) => _debounce.Change(debounce, Timeout.InfiniteTimeSpan);
        _watcher.Renamed += (_, _) => _debounce.Change(debounce, Timeout.InfiniteTimeSpan);
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _debounce.Dispose();
        _periodic.Dispose();
    }
}
