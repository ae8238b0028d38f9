using System.Globalization;

namespace Orchestrator.Execution.Shell;

/// <summary>The fields of Linux's <c>/proc/PID/stat</c> that identify a process and its group.</summary>
/// <param name="State">Field 3: R, S, D, Z (zombie: dead, waiting to be reaped), X (dead), …</param>
/// <param name="ProcessGroupId">Field 5.</param>
/// <param name="SessionId">Field 6.</param>
/// <param name="StartTime">Field 22: when the process started, in clock ticks after boot. Set at fork, kept by exec.</param>
internal readonly record struct ProcStat(char State, int ProcessGroupId, int SessionId, long StartTime)
{
    /// <summary>Dead processes still listed until reaped: they hold no resources and cannot be signalled usefully.</summary>
    public bool IsDead => State is 'Z' or 'X' or 'x';

    /// <summary>Reads one process's stat line; null when it does not exist (or this is not Linux).</summary>
    public static ProcStat? Read(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat"));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null; // gone (or never there): FileNotFound, DirectoryNotFound, or ESRCH while reading
        }
    }

    /// <summary>Every live (not dead) process now in the group <paramref name="processGroupId"/>.</summary>
    public static List<(int Pid, ProcStat Stat)> GroupMembers(int processGroupId)
    {
        var members = new List<(int, ProcStat)>();
        string[] entries;
        try
        {
            entries = Directory.GetDirectories("/proc");
        }
        catch (DirectoryNotFoundException)
        {
            return members;
        }

        foreach (var entry in entries)
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Read(pid) is { IsDead: false } stat && stat.ProcessGroupId == processGroupId)
            {
                members.Add((pid, stat));
            }
        }

        return members;
    }

    /// <summary>Parses a stat line: <c>PID (COMM) STATE PPID PGRP SESSION …</c>. COMM may hold spaces and parentheses,
    /// so the fields are counted from the LAST ')'. Null when the line is not in that shape.</summary>
    public static ProcStat? Parse(string line)
    {
        var close = line.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        // After ") " the fields start at field 3 (state); field N is at index N - 3.
        var fields = line[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20 || fields[0].Length != 1
            || !int.TryParse(fields[5 - 3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var group)
            || !int.TryParse(fields[6 - 3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var session)
            || !long.TryParse(fields[22 - 3], NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }

        return new ProcStat(fields[0][0], group, session, start);
    }
}
