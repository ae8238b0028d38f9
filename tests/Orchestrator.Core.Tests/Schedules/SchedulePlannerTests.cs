using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

public class SchedulePlannerTests
{
    private static readonly DateTimeOffset Jan1 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Catchup_PlansOneRunPerMissedInterval_EachWithItsLogicalDate()
    {
        var dag = Dag("0 3 * * *", start: Jan1, catchup: true);

        var due = SchedulePlanner.DueRuns(dag, lastLogicalDate: null, now: Jan1.AddDays(3).AddHours(1));

        Assert.Equal([Jan1.AddHours(3), Jan1.AddDays(1).AddHours(3), Jan1.AddDays(2).AddHours(3)], due); // Jan 4 03:00 is not due at 01:00
    }

    [Fact]
    public void WithoutCatchup_OnlyTheLatestMissedIntervalRuns()
    {
        var dag = Dag("*/5 * * * *", start: Jan1.AddYears(-3), catchup: false);

        var due = SchedulePlanner.DueRuns(dag, lastLogicalDate: null, now: Jan1.AddMinutes(12));

        Assert.Equal([Jan1.AddMinutes(10)], due);
    }

    [Fact]
    public void AskingAgain_AfterRecordingTheRuns_PlansNothingTwice()
    {
        var time = new FakeTimeProvider(Jan1);
        var dag = Dag("@hourly", start: Jan1, catchup: true);
        var recorded = new List<DateTimeOffset>();

        for (var step = 0; step < 10; step++)
        {
            time.Advance(TimeSpan.FromMinutes(25));
            recorded.AddRange(SchedulePlanner.DueRuns(dag, recorded.Count == 0 ? null : recorded[^1], time.GetUtcNow()));
        }

        Assert.Equal(recorded.Distinct().Count(), recorded.Count);
        Assert.Equal(Enumerable.Range(0, 5).Select(h => Jan1.AddHours(h)), recorded); // 00:00 … 04:00 by 04:10
    }

    [Fact]
    public void LogicalDates_FollowTheDagsTimeZone_AcrossDst()
    {
        var dag = Dag("0 2 * * *", start: new DateTimeOffset(2026, 3, 7, 0, 0, 0, TimeSpan.FromHours(-5)), catchup: true, zone: "America/New_York");

        var due = SchedulePlanner.DueRuns(dag, null, new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(
            [
                new DateTimeOffset(2026, 3, 7, 2, 0, 0, TimeSpan.FromHours(-5)),
                new DateTimeOffset(2026, 3, 8, 3, 0, 0, TimeSpan.FromHours(-4)), // 02:00 does not exist that night
                new DateTimeOffset(2026, 3, 9, 2, 0, 0, TimeSpan.FromHours(-4)),
            ],
            due);
    }

    [Fact]
    public void NothingIsDue_BeforeTheStartDate_OrWithoutASchedule()
    {
        Assert.Empty(SchedulePlanner.DueRuns(Dag("@daily", start: Jan1.AddDays(5), catchup: true), null, Jan1.AddDays(2)));
        Assert.Empty(SchedulePlanner.DueRuns(Dag(null, start: Jan1, catchup: true), null, Jan1.AddDays(2)));
        Assert.Equal(Jan1.AddDays(5), SchedulePlanner.NextRun(Dag("@daily", start: Jan1.AddDays(5), catchup: false), Jan1));
    }

    [Fact]
    public void ANewDagWithoutStart_BeginsWithTheNextScheduleTime()
    {
        var dag = Dag("0 * * * *", start: null, catchup: true);

        Assert.Empty(SchedulePlanner.DueRuns(dag, null, Jan1.AddMinutes(30)));
        Assert.Equal(Jan1.AddHours(1), SchedulePlanner.NextRun(dag, Jan1.AddMinutes(30)));
    }

    [Fact]
    public void EverySecond_WithCatchup_Plans20RunsFor20Seconds_AndNoneTwice()
    {
        var dag = Dag("* * * * * *", start: Jan1, catchup: true);

        var first = SchedulePlanner.DueRuns(dag, null, Jan1.AddSeconds(9.5));
        var rest = SchedulePlanner.DueRuns(dag, first[^1], Jan1.AddSeconds(19.999));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => Jan1.AddSeconds(i)), first.Concat(rest));
        Assert.Equal(Jan1.AddSeconds(20), SchedulePlanner.NextRun(dag, Jan1.AddSeconds(19.5)));
    }

    [Fact]
    public void EverySecond_WithoutCatchup_RunsOnlyTheLatestSecond_EvenYearsAfterTheStart()
    {
        var dag = Dag("*/10 * * * * *", start: Jan1.AddYears(-3), catchup: false);

        Assert.Equal([Jan1.AddSeconds(50)], SchedulePlanner.DueRuns(dag, lastLogicalDate: null, now: Jan1.AddSeconds(59.9)));
        Assert.Equal([Jan1.AddMinutes(1)], SchedulePlanner.DueRuns(dag, lastLogicalDate: Jan1.AddSeconds(50), now: Jan1.AddSeconds(60)));

        // Every second of January, asked in June: the latest due second is months back.
        var january = Dag("* * * * 1 *", start: Jan1.AddYears(-6), catchup: false);
        Assert.Equal([Jan1.AddMonths(1).AddSeconds(-1)], SchedulePlanner.DueRuns(january, lastLogicalDate: null, now: Jan1.AddMonths(5)));
    }

    [Fact]
    public void RunIds_KeepTheSecondsOfTheLogicalDate()
    {
        var logicalDate = SchedulePlanner.DueRuns(Dag("7 0 3 * * *", start: Jan1, catchup: false), null, new DateTimeOffset(2026, 11, 26, 3, 0, 8, TimeSpan.Zero)).Single();

        Assert.Equal("scheduled__2026-11-26T03:00:07+00:00__planned", RunId.Scheduled(new DagId("planned"), logicalDate).Value);
    }

    private static DagDefinition Dag(string? schedule, DateTimeOffset? start, bool catchup, string zone = "UTC") => new()
    {
        Id = new DagId("planned"),
        Schedule = schedule,
        Start = start,
        Catchup = catchup,
        TimeZone = zone,
        Tasks = [new TaskDefinition { Id = new TaskId("t"), Type = "empty" }],
    };
}
