using System.Diagnostics;
using System.Globalization;

namespace Orchestrator.Execution.Tests.Shell;

/// <summary>Test-side view of process groups, through <c>ps</c> (not the product's /proc reader), and a way to start a
/// real <c>setsid bash -c …</c> group as a crashed engine would have left it.</summary>
internal static class ProcessGroups
{
    /// <summary>Live (not zombie) members of a process group, as <c>ps</c> lists them.</summary>
    public static IReadOnlyList<int> LiveMembers(int group)
    {
        var start = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-e", "-o", "pid=,pgid=,stat=" })
        {
            start.ArgumentList.Add(arg);
        }

        using var ps = Process.Start(start)!;
        var lines = ps.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        ps.WaitForExit();
        return [.. lines
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 3 && fields[1] == group.ToString(CultureInfo.InvariantCulture) && !fields[2].StartsWith('Z'))
            .Select(fields => int.Parse(fields[0], CultureInfo.InvariantCulture))];
    }

    /// <summary>Starts <c>setsid bash -c SCRIPT</c> and waits until its group has <paramref name="members"/> live members.</summary>
    public static async Task<Process> StartGroupAsync(string script, int members)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        var process = Process.Start(start)!;
        await EventuallyAsync(() => LiveMembers(process.Id).Count >= members, $"group {process.Id} never had {members} members");
        return process;
    }

    /// <summary>Ends whatever a test left behind.</summary>
    public static void KillGroup(int group)
    {
        using var kill = Process.Start("kill", ["-KILL", "--", "-" + group.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>The start time (field 22) of a process, read with awk: an oracle independent of the product's parser.</summary>
    public static long StartTicks(int pid)
    {
        var start = new ProcessStartInfo("awk") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("{print $22}");
        start.ArgumentList.Add($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        using var awk = Process.Start(start)!;
        var text = awk.StandardOutput.ReadToEnd().Trim();
        awk.WaitForExit();
        return long.Parse(text, CultureInfo.InvariantCulture);
    }

    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException(what);
            }

            await Task.Delay(50);
        }
    }
}
