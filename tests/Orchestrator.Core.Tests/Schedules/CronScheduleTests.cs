using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

public class CronScheduleTests
{
    [Theory]
    [InlineData("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, but found 4")]
    [InlineData("0 * * * * * 2026", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, but found 7")]
    [InlineData("* 24 * * *", "field 2 (hour): value 24 is out of range 0-23")]
    [InlineData("* * 0 * *", "field 3 (day-of-month): value 0 is out of range 1-31")]
    [InlineData("* * * jam *", "field 4 (month): 'jam' is not a number 1-12 or one of JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC")]
    [InlineData("*/0 * * * *", "field 1 (minute): step '0' must be a whole number of at least 1")]
    [InlineData("5-1 * * * *", "field 1 (minute): range '5-1' goes backwards; write the smaller value first")]
    [InlineData("@fortnightly", "unknown preset '@fortnightly'; expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly")]
    [InlineData("  ", "empty schedule; expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, or a preset such as @daily")]
    // With seconds first, every field is numbered as written.
    [InlineData("60 * * * * *", "field 1 (second): value 60 is out of range 0-59")]
    [InlineData("*/0 * * * * *", "field 1 (second): step '0' must be a whole number of at least 1")]
    [InlineData("*/60 * * * * *", "field 1 (second): step 60 is larger than the field's maximum 59")]
    [InlineData("30-10 * * * * *", "field 1 (second): range '30-10' goes backwards; write the smaller value first")]
    [InlineData("1,,2 * * * * *", "field 1 (second): empty list item")]
    [InlineData("MON * * * * *", "field 1 (second): 'MON' is not a number 0-59")]
    [InlineData("-1 * * * * *", "field 1 (second): '' is not a number 0-59")]
    [InlineData("0 60 * * * *", "field 2 (minute): value 60 is out of range 0-59")]
    [InlineData("0 * 24 * * *", "field 3 (hour): value 24 is out of range 0-23")]
    [InlineData("0 * * * * 8", "field 6 (day-of-week): value 8 is out of range 0-7")]
    public void Parse_ExplainsWhatIsWrong(string expression, string message)
    {
        Assert.False(CronSchedule.TryParse(expression, out _, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void BothDayFields_MatchEitherDay_AsInCron()
    {
        // The 13th of the month OR any Friday.
        var schedule = CronSchedule.Parse("0 0 13 * 5");
        var after = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);

        var days = schedule.GetOccurrences(after, after.AddMonths(1), TimeZoneInfo.Utc).Select(o => o.Day).ToList();

        Assert.Equal([6, 13, 20, 27], days);
    }

    [Fact]
    public void ImpossibleDate_HasNoOccurrence() =>
        Assert.Null(CronSchedule.Parse("0 0 30 2 *").GetNextOccurrence(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeZoneInfo.Utc));

    [Fact]
    public void GetOccurrences_ListsEveryMissedInterval_ForCatchup()
    {
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var runs = CronSchedule.Parse("@daily").GetOccurrences(from, from.AddDays(3), TimeZoneInfo.Utc).ToList();

        Assert.Equal([from, from.AddDays(1), from.AddDays(2)], runs);
    }

    [Fact]
    public void FixedTime_SkippedBySpringForward_FiresOnceAtTheTransition()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var schedule = CronSchedule.Parse("30 2 * * *");

        var next = schedule.GetNextOccurrence(new DateTimeOffset(2026, 3, 8, 0, 0, 0, TimeSpan.FromHours(-5)), newYork);

        Assert.Equal(new DateTimeOffset(2026, 3, 8, 3, 0, 0, TimeSpan.FromHours(-4)), next);
    }

    [Fact]
    public void SkippedTime_RightAfterTheLastFireBeforeSpringForward_StillFiresAtTheTransition()
    {
        // 01:59 EST is the last minute before New York's clocks jump to 03:00 EDT; 02:59 never exists that night.
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var schedule = CronSchedule.Parse("59 1,2 * * *");

        var next = schedule.GetNextOccurrence(new DateTimeOffset(2026, 3, 8, 1, 59, 0, TimeSpan.FromHours(-5)), newYork);

        Assert.Equal(new DateTimeOffset(2026, 3, 8, 3, 0, 0, TimeSpan.FromHours(-4)), next);
    }

    [Fact]
    public void FixedTime_RepeatedByFallBack_FiresOnce_IntervalFiresInBothOffsets()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var from = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(-4));
        var to = from.AddHours(4);

        var fixedTime = CronSchedule.Parse("30 1 * * *").GetOccurrences(from, to, newYork).ToList();
        var hourly = CronSchedule.Parse("30 * * * *").GetOccurrences(from, to, newYork).ToList();

        Assert.Equal([new DateTimeOffset(2026, 11, 1, 1, 30, 0, TimeSpan.FromHours(-4))], fixedTime);
        Assert.Contains(new DateTimeOffset(2026, 11, 1, 1, 30, 0, TimeSpan.FromHours(-4)), hourly);
        Assert.Contains(new DateTimeOffset(2026, 11, 1, 1, 30, 0, TimeSpan.FromHours(-5)), hourly);
    }

    [Theory]
    [InlineData("*/15 9-17 * * *", "0 0,15,30,45 9,10,11,12,13,14,15,16,17 * * ?")]
    [InlineData("0 3 * * MON-FRI", "0 0 3 ? * 2,3,4,5,6")]
    [InlineData("0 0 * * 0", "0 0 0 ? * 1")]
    [InlineData("0 0 * * 7", "0 0 0 ? * 1")]
    [InlineData("0 0 1 jan,jul *", "0 0 0 1 1,7 ?")]
    [InlineData("0 0 13 * 5", "0 0 0 13 * ?|0 0 0 ? * 6")]
    [InlineData("@hourly", "0 0 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23 * * ?")]
    public void ToQuartz_GivesExpressionsWhoseUnionFiresAtTheSameTimes(string expression, string quartz) =>
        Assert.Equal(quartz.Split('|'), CronSchedule.Parse(expression).ToQuartzCronExpressions());
}
