using System.Globalization;
using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

/// <summary>The optional leading seconds field: what it matches, next fire times across every calendar boundary and
/// DST change, catchup, and the Quartz expressions made from it. Its agreement with Cronos over many random
/// expressions is in <see cref="CronScheduleCronosTests"/>; <see cref="CronScheduleSecondsEquivalenceTests"/> shows a
/// 5-field expression means the same as its 6-field form with second 0.</summary>
public class CronScheduleSecondsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("* * * * * *", "0-59")]
    [InlineData("*/1 * * * * *", "0-59")]
    [InlineData("0-59 * * * * *", "0-59")]
    [InlineData("*/10 * * * * *", "0,10,20,30,40,50")]
    [InlineData("*/7 * * * * *", "0,7,14,21,28,35,42,49,56")]
    [InlineData("5-20/5 * * * * *", "5,10,15,20")]
    [InlineData("7/20 * * * * *", "7,27,47")]
    [InlineData("1,2,59 * * * * *", "1,2,59")]
    [InlineData("58-59,0 * * * * *", "0,58,59")]
    [InlineData("10-12,30-31 * * * * *", "10,11,12,30,31")]
    [InlineData("30 * * * * *", "30")]
    [InlineData("0 * * * * *", "0")]
    public void SecondsField_MatchesTheseSecondsOfEveryMinute(string expression, string seconds)
    {
        var expected = Values(seconds);

        // Three minutes, so each minute must repeat the same seconds.
        var fires = CronSchedule.Parse(expression).GetOccurrences(Noon, Noon.AddMinutes(3), TimeZoneInfo.Utc).ToList();

        Assert.Equal(
            Enumerable.Range(0, 3).SelectMany(minute => expected.Select(second => Noon.AddMinutes(minute).AddSeconds(second))),
            fires);
    }

    [Theory]
    [InlineData("*/10 * * * * *", true)]
    [InlineData("0 3 * * * *", true)]
    [InlineData("0 3 * * *", false)]
    [InlineData("  0   3  * * *  ", false)]
    [InlineData("@daily", false)]
    public void HasSeconds_IsWhetherASecondsFieldWasWritten(string expression, bool hasSeconds)
    {
        var schedule = CronSchedule.Parse(expression);

        Assert.Equal(hasSeconds, schedule.HasSeconds);
        Assert.Equal(expression.Trim(), schedule.Expression);
    }

    [Theory]
    // minute, hour, day, month and year boundaries
    [InlineData("*/10 * * * * *", "UTC", "2026-01-01T00:00:55Z", "2026-01-01T00:01:00Z")]
    [InlineData("15 * * * * *", "UTC", "2026-01-01T00:59:15Z", "2026-01-01T01:00:15Z")]
    [InlineData("59 59 23 * * *", "UTC", "2026-01-31T23:59:58Z", "2026-01-31T23:59:59Z")]
    [InlineData("59 59 23 * * *", "UTC", "2026-01-31T23:59:59Z", "2026-02-01T23:59:59Z")]
    [InlineData("0 0 0 1 * *", "UTC", "2026-01-31T23:59:59Z", "2026-02-01T00:00:00Z")]
    [InlineData("30 59 23 31 12 *", "UTC", "2026-12-31T23:59:30Z", "2027-12-31T23:59:30Z")]
    [InlineData("* * * * * *", "UTC", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z")]
    [InlineData("1 0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", "2028-02-29T00:00:01Z")]
    [InlineData("5-7 0 0 * * SUN", "UTC", "2026-01-04T00:00:07Z", "2026-01-11T00:00:05Z")]
    // strictly after, and a fraction of a second counts as past that second
    [InlineData("* * * * * *", "UTC", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z")]
    [InlineData("* * * * * *", "UTC", "2026-01-01T00:00:00.9990000Z", "2026-01-01T00:00:01Z")]
    [InlineData("*/30 * * * * *", "UTC", "2026-01-01T00:00:29.9999999Z", "2026-01-01T00:00:30Z")]
    // seconds are read in the zone's wall clock: Kolkata is 05:30 ahead, Kathmandu 05:45
    [InlineData("0 0 0 * * *", "Asia/Kolkata", "2026-01-01T00:00:00Z", "2026-01-01T18:30:00Z")]
    [InlineData("20 15 * * * *", "Asia/Kathmandu", "2026-01-01T00:00:00Z", "2026-01-01T00:30:20Z")]
    // New York springs forward at 02:00 EST (07:00Z) on 2026-03-08: wall times 02:00:00-02:59:59 do not exist
    [InlineData("*/20 * * * * *", "America/New_York", "2026-03-08T06:59:40Z", "2026-03-08T07:00:00Z")]
    [InlineData("45 30 2 * * *", "America/New_York", "2026-03-08T05:00:00Z", "2026-03-08T07:00:00Z")]
    [InlineData("45 30 2 * * *", "America/New_York", "2026-03-08T07:00:00Z", "2026-03-09T06:30:45Z")]
    [InlineData("59 59 1 * * *", "America/New_York", "2026-03-08T06:00:00Z", "2026-03-08T06:59:59Z")]
    // the last fire came the second before the jump: the skipped 02:59:58 still fires, at the transition
    [InlineData("58-59 59 * * * *", "America/New_York", "2026-03-08T06:59:59Z", "2026-03-08T07:00:00Z")]
    [InlineData("58-59 59 * * * *", "America/New_York", "2026-03-08T07:00:00Z", "2026-03-08T07:59:58Z")]
    // London springs forward at 01:00Z on 2026-03-29
    [InlineData("30 30 1 * * *", "Europe/London", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z")]
    public void NextOccurrence_CrossesEveryBoundary(string expression, string zone, string after, string expected) =>
        Assert.Equal(At(expected), CronSchedule.Parse(expression).GetNextOccurrence(At(after), TimeZoneInfo.FindSystemTimeZoneById(zone)));

    [Fact]
    public void FallBack_FixedSecondFiresOnce_IntervalInSecondsFiresInBothOffsets()
    {
        // New York repeats 01:00:00-01:59:59 on 2026-11-01 (EDT, then EST).
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var from = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(-4));
        var to = from.AddHours(4);
        DateTimeOffset Edt(int m, int s) => new(2026, 11, 1, 1, m, s, TimeSpan.FromHours(-4));
        DateTimeOffset Est(int m, int s) => new(2026, 11, 1, 1, m, s, TimeSpan.FromHours(-5));

        var fixedTime = CronSchedule.Parse("10 30 1 * * *").GetOccurrences(from, to, newYork).ToList();
        var everyHalfMinute = CronSchedule.Parse("*/30 30 1 * * *").GetOccurrences(from, to, newYork).ToList();

        Assert.Equal([Edt(30, 10)], fixedTime);
        Assert.Equal([Edt(30, 0), Edt(30, 30), Est(30, 0), Est(30, 30)], everyHalfMinute);
    }

    [Fact]
    public void EverySecond_AcrossSpringForward_NeverFiresInTheGapAndMissesNoInstant()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var from = At("2026-03-08T06:59:50Z");

        var fires = CronSchedule.Parse("* * * * * *").GetOccurrences(from, from.AddSeconds(20), newYork).ToList();

        // Every instant is a second of some valid wall time: 01:59:50-01:59:59 EST, then 03:00:00-03:00:09 EDT.
        Assert.Equal(Enumerable.Range(0, 20).Select(i => from.AddSeconds(i)), fires);
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 3, 0, 0, TimeSpan.FromHours(-4)), fires[10]);
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("America/New_York")]
    [InlineData("Australia/Lord_Howe")] // a half-hour DST shift
    public void Catchup_OfAnEverySecondSchedule_Over20Seconds_IsExactly20Runs(string zone)
    {
        var from = new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);

        var runs = CronSchedule.Parse("* * * * * *").GetOccurrences(from, from.AddSeconds(20), TimeZoneInfo.FindSystemTimeZoneById(zone)).ToList();

        Assert.Equal(Enumerable.Range(0, 20).Select(i => from.AddSeconds(i)), runs);
    }

    [Theory]
    [InlineData("* * * * * *", "2026-01-01T00:00:07Z", "2026-01-01T00:00:06Z")]
    [InlineData("*/10 * * * * *", "2026-01-01T00:01:00Z", "2026-01-01T00:00:50Z")]
    [InlineData("30 0 3 * * *", "2026-11-26T03:00:30Z", "2026-11-25T03:00:30Z")]
    [InlineData("0 */5 * * * *", "2026-01-01T00:05:00Z", "2026-01-01T00:00:00Z")]
    // every second of January: the first run of a year starts its interval at the previous year's last second
    [InlineData("* * * * 1 *", "2027-01-01T00:00:00Z", "2026-01-31T23:59:59Z")]
    public void DataInterval_StartsAtThePreviousSecondOnTheSchedule(string expression, string logical, string start)
    {
        var interval = DataInterval.For(CronSchedule.Parse(expression), TimeZoneInfo.Utc, scheduled: true, At(logical));

        Assert.Equal(new DataInterval(At(start), At(logical)), interval);
    }

    [Theory]
    [InlineData("* * * * * *", "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23 * * ?")]
    [InlineData("*/15 30 2 * * *", "0,15,30,45 30 2 * * ?")]
    [InlineData("7 0 3 * * MON-FRI", "7 0 3 ? * 2,3,4,5,6")]
    [InlineData("5-7 0 0 1 jan,jul *", "5,6,7 0 0 1 1,7 ?")]
    [InlineData("59 0 0 13 * 5", "59 0 0 13 * ?|59 0 0 ? * 6")]
    [InlineData("0 */20 * * * *", "0 0,20,40 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23 * * ?")]
    public void ToQuartz_CarriesTheSecondsField(string expression, string quartz) =>
        Assert.Equal(quartz.Split('|'), CronSchedule.Parse(expression).ToQuartzCronExpressions());

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static int[] Values(string text) => [.. text.Split(',').SelectMany(part =>
    {
        var bounds = part.Split('-').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return Enumerable.Range(bounds[0], bounds[^1] - bounds[0] + 1);
    }).Order()];
}
