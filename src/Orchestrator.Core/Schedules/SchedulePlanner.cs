using Orchestrator.Core.Model;

namespace Orchestrator.Core.Schedules;

/// <summary>Decides which scheduled runs are due, as pure logic: the scheduler asks it on every trigger fire
/// and at start-up (to catch up after downtime), and the store's unique (DAG, logical date) key makes asking
/// twice harmless. A run's logical date is the schedule time it stands for, as the scheduler fired it.</summary>
public static class SchedulePlanner
{
    /// <summary>At most this many catchup runs are planned at once; the rest follow on the next call.</summary>
    public const int MaxRunsPerCall = 1000;

    /// <summary>The logical dates due at <paramref name="now"/> that come after <paramref name="lastLogicalDate"/>
    /// (the newest scheduled run recorded, or null). Without catchup, only the most recent due date.</summary>
    public static IReadOnlyList<DateTimeOffset> DueRuns(DagDefinition dag, DateTimeOffset? lastLogicalDate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(dag);
        if (dag.Schedule is null || !CronSchedule.TryParse(dag.Schedule, out var cron, out _))
        {
            return [];
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(dag.TimeZone);
        // Occurrences at or after the start date, strictly after the last run, up to and including now.
        var from = Later(dag.Start, lastLogicalDate?.AddTicks(1)) ?? now;
        if (!dag.Catchup)
        {
            return LatestDue(cron, zone, from, now) is { } latest ? [latest] : [];
        }

        var due = new List<DateTimeOffset>();
        foreach (var occurrence in cron.GetOccurrences(from, now.AddTicks(1), zone))
        {
            due.Add(occurrence);
            if (due.Count == MaxRunsPerCall)
            {
                break;
            }
        }

        return due;
    }

    /// <summary>The next time a run will be due after <paramref name="now"/>, for display and the trigger.</summary>
    public static DateTimeOffset? NextRun(DagDefinition dag, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(dag);
        if (dag.Schedule is null || !CronSchedule.TryParse(dag.Schedule, out var cron, out _))
        {
            return null;
        }

        var after = Later(dag.Start?.AddTicks(-1), now) ?? now;
        return cron.GetNextOccurrence(after, TimeZoneInfo.FindSystemTimeZoneById(dag.TimeZone));
    }

    /// <summary>The last occurrence in [from, now], found by searching back from now (a few dozen steps even for
    /// an every-second schedule started years ago).</summary>
    private static DateTimeOffset? LatestDue(CronSchedule cron, TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset now) =>
        cron.GetPreviousOccurrence(now.AddTicks(1), from, zone);

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;
}
