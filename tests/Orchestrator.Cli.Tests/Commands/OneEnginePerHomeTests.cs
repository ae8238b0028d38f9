using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Engine.Hosting;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary>One engine per home: a second <c>standalone</c> on the same home refuses to start and names the holder;
/// a holder that was killed (-9) leaves nothing to wait for. Every holder here is another real process: the lock
/// must exclude processes, not just threads.</summary>
public sealed class OneEnginePerHomeTests : IDisposable
{
    private static readonly DateTimeOffset Since = new(2026, 11, 25, 17, 0, 0, TimeSpan.Zero);

    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-lock-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task LockHeldByAnotherProcess_IsRefused_UntilThatProcessIsKilled()
    {
        var home = Path.Combine(_root, "home");
        Directory.CreateDirectory(home);
        var ready = Path.Combine(_root, "ready");
        // util-linux flock takes the same kind of lock (flock(2), exclusive); -o keeps it in flock's own process only.
        using var holder = Process.Start("flock", ["-o", Path.Combine(home, HomeLock.LockFileName), "bash", "-c", $"touch {ready}; sleep 100"]);
        try
        {
            await StandaloneProcess.EventuallyAsync(() => Task.FromResult(File.Exists(ready) ? "ready" : null));

            var refused = Assert.Throws<HomeLockedException>(() => HomeLock.Acquire(home, new FakeTimeProvider(Since)));
            Assert.Equal(Path.Combine(home, HomeLock.LockFileName), refused.LockFile);
            Assert.StartsWith("another engine is running on this home: holder unknown (lock file ", refused.Message, StringComparison.Ordinal);

            StandaloneProcess.Kill(holder.Id, "KILL");
            await holder.WaitForExitAsync();
            using var taken = HomeLock.Acquire(home, new FakeTimeProvider(Since)); // at once: nothing stale to wait for

            Assert.Equal(new HomeLockHolder(Environment.ProcessId, Environment.MachineName, Since), taken.Holder);
        }
        finally
        {
            if (!holder.HasExited)
            {
                StandaloneProcess.Kill(holder.Id, "KILL");
            }
        }
    }

    [Fact]
    public void SecondAcquire_NamesTheHolder_AndTheLockIsFreeAfterRelease()
    {
        var home = Path.Combine(_root, "home");
        var first = HomeLock.Acquire(home, new FakeTimeProvider(Since));

        var refused = Assert.Throws<HomeLockedException>(() => HomeLock.Acquire(home, new FakeTimeProvider(Since.AddHours(1))));

        var lockFile = Path.Combine(Path.GetFullPath(home), HomeLock.LockFileName);
        Assert.Equal(
            $"another engine is running on this home: pid {Environment.ProcessId} on host {Environment.MachineName} since 2026-11-25T17:00:00Z (lock file {lockFile})",
            refused.Message);
        first.Dispose();
        Assert.False(File.Exists(Path.Combine(home, HomeLock.HolderFileName))); // no stale description left behind
        using var second = HomeLock.Acquire(home, new FakeTimeProvider(Since.AddHours(1)));
        Assert.Equal(Since.AddHours(1), second.Holder.Since);
    }

    [Fact]
    public async Task SecondStandalone_OnTheSameHome_Refuses_AndAKilledFirstLeavesTheHomeFree()
    {
        var dags = Directory.CreateDirectory(Path.Combine(_root, "dags")).FullName;
        var home = Path.Combine(_root, "home");
        var firstPort = StandaloneProcess.FreePort();
        var first = StandaloneProcess.Start(dags, home, firstPort);
        var firstLog = StandaloneProcess.Capture(first);
        Process? second = null, third = null;
        try
        {
            await StandaloneProcess.WaitHealthyAsync(firstPort, firstLog);

            second = StandaloneProcess.Start(dags, home, StandaloneProcess.FreePort());
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await second.WaitForExitAsync(limit.Token); // on the old code it never ends: it runs as a second engine
            var error = await second.StandardError.ReadToEndAsync();

            Assert.Equal(3, second.ExitCode);
            Assert.Contains(
                $"error: another engine is running on this home: pid {first.Id} on host {Environment.MachineName} since ", error, StringComparison.Ordinal);
            Assert.Contains($"(lock file {Path.Combine(home, HomeLock.LockFileName)})", error, StringComparison.Ordinal);
            await StandaloneProcess.WaitHealthyAsync(firstPort, firstLog); // the first one was left alone

            StandaloneProcess.Kill(first.Id, "KILL");
            await first.WaitForExitAsync();
            var thirdPort = StandaloneProcess.FreePort();
            third = StandaloneProcess.Start(dags, home, thirdPort);
            await StandaloneProcess.WaitHealthyAsync(thirdPort, StandaloneProcess.Capture(third));
        }
        finally
        {
            foreach (var process in new[] { first, second, third })
            {
                if (process is { HasExited: false })
                {
                    StandaloneProcess.Kill(process.Id, "KILL");
                    await process.WaitForExitAsync();
                }

                process?.Dispose();
            }
        }
    }

    [Fact]
    public async Task Standalone_WithFileLockingTurnedOff_RefusesToStart()
    {
        var dags = Directory.CreateDirectory(Path.Combine(_root, "dags")).FullName;
        using var standalone = StandaloneProcess.Start(dags, Path.Combine(_root, "home"), StandaloneProcess.FreePort(), ("DOTNET_SYSTEM_IO_DISABLEFILELOCKING", "1"));
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await standalone.WaitForExitAsync(limit.Token);
        }
        finally
        {
            if (!standalone.HasExited)
            {
                StandaloneProcess.Kill(standalone.Id, "KILL");
            }
        }

        Assert.Equal(3, standalone.ExitCode);
        Assert.Contains("file locking is turned off", await standalone.StandardError.ReadToEndAsync(), StringComparison.Ordinal);
    }
}
