using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

public class DataIntervalTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    [Theory]
    // daily at 03:00 Paris across spring-forward (2026-03-29): a 23-hour interval
    [InlineData("0 3 * * *", "Europe/Paris", "2026-03-29T03:00:00+02:00", "2026-03-28T03:00:00+01:00")]
    // and across fall-back (2026-10-25): 25 hours
    [InlineData("0 3 * * *", "Europe/Paris", "2026-10-25T03:00:00+01:00", "2026-10-24T03:00:00+02:00")]
    // 02:30 does not exist on 2026-03-29: that run fires at the transition (03:00+02:00); the next day's
    // interval starts there
    [InlineData("30 2 * * *", "Europe/Paris", "2026-03-30T02:30:00+02:00", "2026-03-29T03:00:00+02:00")]
    // hourly fires in both offsets of the repeated hour: the second 02:00 follows the first by one hour
    [InlineData("0 * * * *", "Europe/Paris", "2026-10-25T02:00:00+01:00", "2026-10-25T02:00:00+02:00")]
    [InlineData("* * * * *", "UTC", "2026-01-01T12:00:00+00:00", "2026-01-01T11:59:00+00:00")]
    [InlineData("@daily", "UTC", "2026-01-01T00:00:00+00:00", "2025-12-31T00:00:00+00:00")]
    [InlineData("@monthly", "UTC", "2026-03-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00")]
    [InlineData("0 0 29 2 *", "UTC", "2028-02-29T00:00:00+00:00", "2024-02-29T00:00:00+00:00")]
    // a logical date written in another offset keeps it; the start is printed in the same offset
    [InlineData("0 3 * * *", "Europe/Paris", "2026-03-29T01:00:00+00:00", "2026-03-28T02:00:00+00:00")]
    // not on the schedule (a scheduled run always is, but the rule is still "the fire time before")
    [InlineData("0 0 * * 1", "UTC", "2026-01-07T10:00:00+00:00", "2026-01-05T00:00:00+00:00")]
    public void Scheduled_StartsAtThePreviousFireTime(string cron, string zone, string logical, string expectedStart)
    {
        var logicalDate = DateTimeOffset.Parse(logical, System.Globalization.CultureInfo.InvariantCulture);

        var interval = DataInterval.For(CronSchedule.Parse(cron), TimeZoneInfo.FindSystemTimeZoneById(zone), scheduled: true, logicalDate);

        Assert.Equal(DateTimeOffset.Parse(expectedStart, System.Globalization.CultureInfo.InvariantCulture), interval.Start); // same instant
        Assert.Equal(logicalDate, interval.End);
        Assert.Equal(logicalDate.Offset, interval.Start.Offset);
    }

    [Fact]
    public void ManualAndEventRuns_CoverNoPeriod()
    {
        var logicalDate = new DateTimeOffset(2026, 5, 4, 13, 17, 0, TimeSpan.Zero);

        Assert.Equal(new DataInterval(logicalDate, logicalDate), DataInterval.For(CronSchedule.Parse("@daily"), Paris, scheduled: false, logicalDate));
        Assert.Equal(new DataInterval(logicalDate, logicalDate), DataInterval.For(null, Paris, scheduled: true, logicalDate));
    }

    [Fact]
    public void ForDag_ReadsItsScheduleAndTimeZone()
    {
        var dag = new DagDefinition { Id = new DagId("d"), Schedule = "0 3 * * *", TimeZone = "Europe/Paris" };
        var unscheduled = new DagDefinition { Id = new DagId("u") };
        var logicalDate = new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 3, 28, 2, 0, 0, TimeSpan.Zero), DataInterval.For(dag, scheduled: true, logicalDate).Start);
        Assert.Equal(logicalDate, DataInterval.For(dag, scheduled: false, logicalDate).Start);
        Assert.Equal(logicalDate, DataInterval.For(unscheduled, scheduled: true, logicalDate).Start);
    }

    [Fact]
    public void AScheduleThatNeverFiredBefore_GivesAnEmptyInterval()
    {
        // Feb 30 never exists.
        var logicalDate = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(logicalDate, DataInterval.For(CronSchedule.Parse("0 0 30 2 *"), TimeZoneInfo.Utc, scheduled: true, logicalDate).Start);
    }
}
