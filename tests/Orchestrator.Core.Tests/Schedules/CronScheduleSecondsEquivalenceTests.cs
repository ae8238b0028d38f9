using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

/// <summary>A 5-field expression keeps its meaning: it is the 6-field expression with second 0. Both forms are
/// compared over random expressions (both day fields restricted included) and random instants across eight years,
/// in zones with DST and half-hour offsets, on everything derived from a schedule.</summary>
public class CronScheduleSecondsEquivalenceTests
{
    private static readonly string[] Zones = ["UTC", "America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe"];

    private static readonly DateTimeOffset RangeStart = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan RangeLength = TimeSpan.FromDays(366 * 8);

    public static TheoryData<string> Expressions()
    {
        string[] handPicked =
        [
            "* * * * *", "0 * * * *", "*/5 * * * *", "30 2 * * *", "30 1 * * *", "0 0 29 2 *", "0 0 13 * 5",
            "15 1 1,15 * 1", "0 0 31 * *", "59 23 31 12 *", "0 2-3 * * *", "*/30 9-10 5-9/2 jan-mar 2-3",
        ];
        var data = new TheoryData<string>(handPicked);
        var random = new Random(20261127);
        var seen = new HashSet<string>(handPicked);
        while (seen.Count < handPicked.Length + 60)
        {
            // Both day fields restricted at times: the OR rule must not change either.
            var expression = string.Join(' ',
                CronScheduleCronosTests.Field(random, 0, 59),
                CronScheduleCronosTests.Field(random, 0, 23),
                random.Next(3) == 0 ? "*" : CronScheduleCronosTests.Field(random, 1, 31),
                CronScheduleCronosTests.Field(random, 1, 12),
                random.Next(3) == 0 ? "*" : CronScheduleCronosTests.Field(random, 0, 6));
            if (seen.Add(expression))
            {
                data.Add(expression);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Expressions))]
    public void FiveFields_MeanSecondZero_OfTheSixFieldForm(string expression)
    {
        var five = CronSchedule.Parse(expression);
        var six = CronSchedule.Parse($"0 {expression}");
        Assert.Equal(five.ToQuartzCronExpressions(), six.ToQuartzCronExpressions());

        // Seeded by the expression, so each case sees its own instants, the same on every run.
        var random = new Random(StableHash(expression));
        foreach (var zoneId in Zones)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            for (var i = 0; i < 12; i++)
            {
                var at = RangeStart + TimeSpan.FromTicks((long)(random.NextDouble() * RangeLength.Ticks));
                var next = five.GetNextOccurrence(at, zone);
                Assert.True(next == six.GetNextOccurrence(at, zone), $"'{expression}' in {zoneId} after {at:O}");
                if (next is { } logicalDate)
                {
                    Assert.Equal(DataInterval.For(five, zone, scheduled: true, logicalDate), DataInterval.For(six, zone, scheduled: true, logicalDate));
                }

                var to = at + TimeSpan.FromHours(random.Next(1, 7));
                Assert.Equal(five.GetOccurrences(at, to, zone), six.GetOccurrences(at, to, zone));
            }
        }
    }

    [Theory]
    [InlineData("@hourly", "0 0 * * * *")]
    [InlineData("@daily", "0 0 0 * * *")]
    [InlineData("@weekly", "0 0 0 * * 0")]
    [InlineData("@monthly", "0 0 0 1 * *")]
    [InlineData("@yearly", "0 0 0 1 1 *")]
    public void Presets_FireAtSecondZero(string preset, string sixFields)
    {
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 30, TimeSpan.Zero);
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

        Assert.Equal(
            CronSchedule.Parse(sixFields).GetOccurrences(from, from.AddYears(3), newYork).Take(50),
            CronSchedule.Parse(preset).GetOccurrences(from, from.AddYears(3), newYork).Take(50));
    }

    private static int StableHash(string text) => text.Aggregate(17, (hash, c) => unchecked((hash * 31) + c));
}
