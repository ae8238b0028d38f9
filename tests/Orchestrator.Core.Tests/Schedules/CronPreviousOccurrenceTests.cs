using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

/// <summary>The backward search behind data intervals and "latest due" (no catchup), checked by its definition
/// against the forward search: the answer is a fire time before the instant, and nothing fires in between.</summary>
public class CronPreviousOccurrenceTests
{
    private static readonly string[] Zones = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe"];

    public static TheoryData<string> Expressions()
    {
        var data = new TheoryData<string>();
        foreach (var row in CronScheduleCronosTests.Expressions().Concat<object[]>(CronScheduleCronosTests.SecondsExpressions()).Where((_, i) => i % 3 == 0))
        {
            data.Add((string)row[0]);
        }

        data.Add("* * * * 1 *"); // every second of January: the fire before 1 January is eleven months back
        data.Add("0 0 30 2 *"); // never fires
        return data;
    }

    [Theory]
    [MemberData(nameof(Expressions))]
    public void Previous_IsAFireTimeBefore_WithNoFireInBetween(string expression)
    {
        var cron = CronSchedule.Parse(expression);
        var random = new Random(expression.Aggregate(23, (hash, c) => unchecked((hash * 31) + c)));
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var zoneId in Zones)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            for (var i = 0; i < 10; i++)
            {
                // Half the instants are fire times themselves (a logical date asks for the fire before it).
                var before = start + TimeSpan.FromTicks((long)(random.NextDouble() * TimeSpan.FromDays(366 * 4).Ticks));
                if (i % 2 == 0 && cron.GetNextOccurrence(before, zone) is { } fire)
                {
                    before = fire;
                }

                var earliest = before.AddYears(-30);
                var previous = cron.GetPreviousOccurrence(before, earliest, zone);
                var firstAfterEarliest = cron.GetNextOccurrence(earliest.AddTicks(-1), zone);
                if (previous is not { } found)
                {
                    Assert.True(firstAfterEarliest is null || firstAfterEarliest >= before, $"'{expression}' in {zoneId} before {before:O}: none found, but {firstAfterEarliest:O} fires");
                    continue;
                }

                Assert.True(found < before && found >= earliest, $"'{expression}' in {zoneId} before {before:O}: {found:O}");
                Assert.Equal(found, cron.GetNextOccurrence(found.AddTicks(-1), zone)); // a fire time
                Assert.True(cron.GetNextOccurrence(found, zone) >= before, $"'{expression}' in {zoneId} before {before:O}: {found:O}, but {cron.GetNextOccurrence(found, zone):O} fires in between");
            }
        }
    }

    [Fact]
    public void Previous_StopsAtEarliest()
    {
        var cron = CronSchedule.Parse("0 0 0 1 * *");
        var before = new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), cron.GetPreviousOccurrence(before, before.AddDays(-14), TimeZoneInfo.Utc));
        Assert.Null(cron.GetPreviousOccurrence(before, before.AddDays(-14).AddTicks(1), TimeZoneInfo.Utc));
        Assert.Null(cron.GetPreviousOccurrence(before, before, TimeZoneInfo.Utc));
    }
}
