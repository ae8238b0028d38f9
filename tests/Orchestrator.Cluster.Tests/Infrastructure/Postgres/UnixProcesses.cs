using System.Diagnostics;
using System.Globalization;

namespace Orchestrator.Cluster.Tests.Infrastructure.Postgres;

/// <summary>What /proc says about processes: alive or not, and whose children they are.</summary>
internal static class UnixProcesses
{
    /// <summary>True while the process exists and is not a zombie (a zombie has let go of everything it held).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            return State(File.ReadAllText($"/proc/{pid}/stat")) is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>The living children of a process (PostgreSQL's backends and helpers are the postmaster's children).</summary>
    public static IReadOnlyList<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                if (ParentOf(stat) == parent && State(stat) is not ('Z' or 'X'))
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // it ended while we looked
            }
        }

        return children;
    }

    /// <summary>True when <paramref name="ancestor"/> is <paramref name="pid"/> or one of its parents, grandparents…
    /// (a task's shell is a descendant of the worker process that runs it).</summary>
    public static bool IsDescendantOf(int pid, int ancestor)
    {
        for (var current = pid; current > 1; )
        {
            if (current == ancestor)
            {
                return true;
            }

            try
            {
                current = ParentOf(File.ReadAllText($"/proc/{current}/stat"));
            }
            catch (IOException)
            {
                return false;
            }
        }

        return false;
    }

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits until none of the processes is alive; false when the deadline passes first.</summary>
    public static async Task<bool> WaitGoneAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var waiting = pids.ToList();
        while (waiting.Exists(IsAlive))
        {
            if (deadline.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    // /proc/PID/stat: "pid (comm) S ppid …"; comm may hold spaces and parentheses, so read after the last ')'.
    private static char State(string stat) => stat[stat.LastIndexOf(')') + 2];

    private static int ParentOf(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[1], CultureInfo.InvariantCulture);
    }
}
