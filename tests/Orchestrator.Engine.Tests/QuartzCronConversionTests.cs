using System.Globalization;
using Orchestrator.Core.Schedules;

namespace Orchestrator.Engine.Tests;

/// <summary>The cron → Quartz conversion checked against an independent oracle instead of strings copied from the
/// code: for hundreds of expressions in every field form, the fire times Quartz itself computes for the converted
/// expression(s) equal Cronos's for the original. Cronos ANDs the two day fields; cron (Vixie, croniter, and this
/// project) ORs them when both are restricted, so there the oracle is the union of Cronos's two one-day-field
/// expressions. In UTC every time must match; in DST zones every time outside the hours around a clock change
/// (there Quartz deliberately differs and the scheduler adds the planner's own fire: see SchedulingTests).</summary>
public class QuartzCronConversionTests
{
    private const int FiresPerStart = 25;

    private static readonly string[] Zones = ["UTC", "America/New_York", "Europe/London", "Australia/Sydney"];

    private static readonly DateTimeOffset[] Starts =
    [
        new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        new(2026, 2, 27, 13, 7, 0, TimeSpan.Zero),
        new(2026, 3, 7, 23, 30, 0, TimeSpan.Zero),
        new(2026, 3, 28, 22, 0, 0, TimeSpan.Zero),
        new(2026, 4, 4, 12, 0, 0, TimeSpan.Zero),
        new(2026, 10, 3, 12, 0, 0, TimeSpan.Zero),
        new(2026, 10, 24, 22, 0, 0, TimeSpan.Zero),
        new(2026, 10, 31, 22, 0, 0, TimeSpan.Zero),
        new(2027, 12, 31, 23, 59, 0, TimeSpan.Zero),
        new(2028, 2, 28, 0, 0, 0, TimeSpan.Zero), // a leap year
    ];

    public static TheoryData<string> Expressions()
    {
        string[] handPicked =
        [
            "* * * * *", "0 * * * *", "*/15 * * * *", "30 2 * * *", "30 1 * * *", "59 23 31 12 *", "0 0 29 2 *",
            "0 0 31 * *", "0 0 30 * *", "0 12 * * 0", "0 12 * * 7", "0 9-17 * * 1-5", "5-55/10 * * * *", "7/20 * * * *",
            "0 0 1 jan,jul *", "15 10 * * MON-FRI", "0 0 * * sat,sun", "0 0 * * SUN-TUE", "0 */6 * * *", "0 0 1 */3 *",
            "0 0 * FEB-APR *", "0 0 1 JAN-DEC/2 *", "1,2,3 1,2,3 * * *", "0 2-3 * * *", "0 0 * * 5-7", "0 0 * * 0,7",
            "@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually",
            // Both day fields restricted: a day matches if either does.
            "0 0 13 * 5", "15 1 1,15 * 1", "0 0 1 * MON", "0 12 1-7 * sun", "0 0 31 * 0", "30 6 */10 2 6", "0 0 29 2 1",
            "0 0 1 * 1", "*/30 9-10 5-9/2 jan-mar 2-3",
            // A day field that lists every value is not restricted: AND, like '*'.
            "0 0 1-31 * 1", "0 0 13 * 0-6", "0 0 */1 * 5",
        ];
        var data = new TheoryData<string>(handPicked);
        var random = new Random(20260801);
        var seen = new HashSet<string>(handPicked, StringComparer.Ordinal);
        while (seen.Count < handPicked.Length + 300)
        {
            var expression = RandomExpression(random);
            if (seen.Add(expression))
            {
                data.Add(expression);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Expressions))]
    public void QuartzFiresOfTheConversion_EqualCronosFiresOfTheOriginal(string expression)
    {
        var ours = CronSchedule.Parse(expression);
        var oracle = Oracle(expression);
        foreach (var zoneId in Zones)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            var quartz = ours.ToQuartzCronExpressions().Select(text => new Quartz.CronExpression(text, zone)).ToList();
            foreach (var start in Starts)
            {
                var expected = Fires(after => oracle.Select(c => c.GetNextOccurrence(after, zone)).Min(), start);
                var actual = Fires(after => quartz.Select(q => q.GetNextValidTimeAfter(after)).Min(), start);
                // Compare up to the end of the shorter list: both lists hold every fire up to there.
                var horizon = new[] { expected.LastOrDefault(DateTimeOffset.MaxValue), actual.LastOrDefault(DateTimeOffset.MaxValue) }.Min();
                var missing = expected.Where(t => t <= horizon).Except(actual).Where(t => !NearClockChange(t, zone)).ToList();
                var extra = actual.Where(t => t <= horizon).Except(expected).Where(t => !NearClockChange(t, zone)).ToList();
                Assert.True(missing.Count == 0 && extra.Count == 0,
                    $"'{expression}' as [{string.Join(" | ", ours.ToQuartzCronExpressions())}] in {zoneId} after {start:O}: " +
                    $"Quartz misses {string.Join(", ", missing.Select(Show))}; fires also at {string.Join(", ", extra.Select(Show))}");
                Assert.True(expected.Count == 0 == (actual.Count == 0), $"'{expression}' in {zoneId}: only one side ever fires");
            }
        }
    }

    /// <summary>The oracle: Cronos for the original expression, split in two when both day fields are restricted
    /// (Vixie cron's OR). Restricted is decided from the text alone: a field is unrestricted when it is '*' or
    /// lists every value of its range; the few spellings of "every value" used above are listed here.</summary>
    private static List<Cronos.CronExpression> Oracle(string expression)
    {
        var fields = CronSchedule.Presets.TryGetValue(expression, out var preset) ? preset.Split(' ') : expression.Split(' ');
        var domRestricted = fields[2] is not ("*" or "1-31" or "*/1");
        var dowRestricted = fields[4] is not ("*" or "0-6" or "0-7" or "*/1");
        if (!(domRestricted && dowRestricted))
        {
            return [Cronos.CronExpression.Parse(string.Join(' ', fields[0], fields[1], domRestricted ? fields[2] : "*", fields[3], dowRestricted ? fields[4] : "*"))];
        }

        return
        [
            Cronos.CronExpression.Parse(string.Join(' ', fields[0], fields[1], fields[2], fields[3], "*")),
            Cronos.CronExpression.Parse(string.Join(' ', fields[0], fields[1], "*", fields[3], fields[4])),
        ];
    }

    private static List<DateTimeOffset> Fires(Func<DateTimeOffset, DateTimeOffset?> next, DateTimeOffset start)
    {
        var fires = new List<DateTimeOffset>();
        for (var at = next(start); at is { } t && fires.Count < FiresPerStart && t.Year < 2100; at = next(t))
        {
            fires.Add(t.ToUniversalTime());
        }

        return fires;
    }

    /// <summary>Within three hours of a change of the zone's UTC offset, where the two libraries treat skipped and
    /// repeated local times differently by design.</summary>
    private static bool NearClockChange(DateTimeOffset at, TimeZoneInfo zone) =>
        zone.GetUtcOffset(at.AddHours(-3)) != zone.GetUtcOffset(at.AddHours(3));

    private static string Show(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>A random expression in every field form; day fields are restricted (never listing every value) or '*',
    /// in all four combinations.</summary>
    private static string RandomExpression(Random random) => string.Join(' ',
        Field(random, 0, 59, null),
        Field(random, 0, 23, null),
        random.Next(3) == 0 ? "*" : Field(random, 1, 31, null, restricted: true),
        Field(random, 1, 12, Months),
        random.Next(3) == 0 ? "*" : Field(random, 0, 6, Days, restricted: true));

    private static string Field(Random random, int min, int max, string[]? names, bool restricted = false)
    {
        string Name(int value) => names is not null && random.Next(3) == 0
            ? names[value - min].ToLowerInvariant() is var lower && random.Next(2) == 0 ? lower : names[value - min]
            : value.ToString(CultureInfo.InvariantCulture);
        int Value() => random.Next(min, max + 1);
        var span = max - min;
        switch (random.Next(restricted ? 6 : 7))
        {
            case 0: return Name(Value());
            case 1:
                var low = random.Next(min, max);
                var high = random.Next(low, Math.Min(max, low + (restricted ? span - 1 : span)) + 1);
                return $"{Name(low)}-{Name(high)}";
            case 2:
                var from = Value();
                return $"{from}-{random.Next(from, max + 1)}/{random.Next(2, 6)}";
            case 3: return string.Join(',', Enumerable.Range(0, random.Next(2, 5)).Select(_ => Value()).Distinct().Select(Name));
            case 4: return $"{Value()}/{random.Next(2, Math.Max(3, span / 2))}";
            case 5: return $"*/{random.Next(2, Math.Max(3, span / 2 + 1))}";
            default: return "*";
        }
    }
}
