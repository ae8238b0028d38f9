using Microsoft.Extensions.Time.Testing;
using Orchestrator.Engine.Catalog;

namespace Orchestrator.Engine.Tests;

/// <summary>The DAG folder watcher with real symbolic links: a folder linked from outside is watched too (the
/// runtime's watcher does not follow links), each real folder once, and a loop of links stays finite.</summary>
public sealed class FolderWatcherTests : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-watch-").FullName;
    private readonly FakeTimeProvider _time = new();

    private string Dags => Path.Combine(_root, "dags");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void LinkedFolders_AreWatchedOnceEach_ByRealPath_EvenThroughALoop()
    {
        Directory.CreateDirectory(Path.Combine(Dags, "sub"));
        Directory.CreateDirectory(Path.Combine(_root, "outside", "team"));
        Link("dags/sub/loop", "..");
        Link("dags/team", "../outside/team");
        Link("dags/sub/team_again", "../../outside/team");
        Link("outside/team/back", "../../dags");

        using var watcher = new FolderWatcher(Dags, () => { }, _time, Debounce, TimeSpan.FromHours(1));

        Assert.Equal([Dags, Path.Combine(_root, "outside", "team")], watcher.WatchedFolders);
    }

    [Fact]
    public async Task ChangeInALinkedFolderOutside_CallsBack()
    {
        Directory.CreateDirectory(Dags);
        Directory.CreateDirectory(Path.Combine(_root, "outside"));
        Link("dags/shared", "../outside");
        var calls = 0;
        using var watcher = new FolderWatcher(Dags, () => Interlocked.Increment(ref calls), _time, Debounce, TimeSpan.FromHours(1));

        await File.WriteAllTextAsync(Path.Combine(_root, "outside", "etl.json"), "{}");

        Assert.True(await CalledBackAsync(() => calls), "no call back for a file written in a linked folder");
    }

    [Fact]
    public async Task LinkCreatedLater_IsWatchedAfterTheNextChange()
    {
        Directory.CreateDirectory(Dags);
        Directory.CreateDirectory(Path.Combine(_root, "later"));
        var calls = 0;
        using var watcher = new FolderWatcher(Dags, () => Interlocked.Increment(ref calls), _time, Debounce, TimeSpan.FromHours(1));

        Link("dags/later", "../later");
        Assert.True(await CalledBackAsync(() => calls), "no call back for a new link");

        Assert.Contains(Path.Combine(_root, "later"), watcher.WatchedFolders);
    }

    /// <summary>File-system events arrive on their own thread: advance the fake clock past the debounce until the
    /// callback ran (bounded; no fixed sleep decides the outcome).</summary>
    private async Task<bool> CalledBackAsync(Func<int> calls)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            _time.Advance(Debounce);
            if (calls() > 0)
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private void Link(string relative, string target) => File.CreateSymbolicLink(Path.Combine(_root, relative), target);
}
