using Orchestrator.Core.Model;

namespace Orchestrator.Core.Schedules;

/// <summary>The period of data a run stands for: <c>{{ run.dataIntervalStart }}</c> to <c>{{ run.dataIntervalEnd }}</c>.
/// Here a scheduled run's logical date is the time it fires (as in Airflow 3's default cron timetable), which
/// ends its interval; the interval starts at the schedule's previous fire time (Airflow 2's logical date).
/// Manual, test and event runs cover no period: start = end = logical date, as in Airflow 3.</summary>
public readonly record struct DataInterval(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>The longest gap searched for a previous fire time (Feb 29 on a given weekday repeats in 28 years).</summary>
    private static readonly TimeSpan LongestGap = TimeSpan.FromDays(366 * 30);

    /// <summary>The interval of a run of <paramref name="dag"/>; <paramref name="scheduled"/> is whether the
    /// scheduler created the run (run type "scheduled").</summary>
    public static DataInterval For(DagDefinition dag, bool scheduled, DateTimeOffset logicalDate)
    {
        ArgumentNullException.ThrowIfNull(dag);
        if (!scheduled || dag.Schedule is null || !CronSchedule.TryParse(dag.Schedule, out var cron, out _))
        {
            return new DataInterval(logicalDate, logicalDate);
        }

        return For(cron, TimeZoneInfo.FindSystemTimeZoneById(dag.TimeZone), scheduled, logicalDate);
    }

    /// <summary>The interval ending at <paramref name="logicalDate"/>: from <paramref name="schedule"/>'s last fire
    /// time before it (read in <paramref name="zone"/>), for a scheduled run; empty otherwise. The start has the
    /// logical date's offset, so both print alike.</summary>
    public static DataInterval For(CronSchedule? schedule, TimeZoneInfo zone, bool scheduled, DateTimeOffset logicalDate)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (!scheduled || schedule is null || Previous(schedule, zone, logicalDate) is not { } start)
        {
            return new DataInterval(logicalDate, logicalDate);
        }

        return new DataInterval(start.ToOffset(logicalDate.Offset), logicalDate);
    }

    /// <summary>The last fire time strictly before <paramref name="before"/>, looking back at most the longest gap.</summary>
    private static DateTimeOffset? Previous(CronSchedule schedule, TimeZoneInfo zone, DateTimeOffset before) =>
        schedule.GetPreviousOccurrence(before, before - LongestGap, zone);
}
