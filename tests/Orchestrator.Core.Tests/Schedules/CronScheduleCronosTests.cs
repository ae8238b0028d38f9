using Orchestrator.Core.Schedules;

namespace Orchestrator.Core.Tests.Schedules;

/// <summary>Our cron against an independent library (Cronos) over many expressions: same validity, same next
/// occurrences in UTC and across 2026's DST changes. Cronos ANDs the two day fields where cron ORs them, so
/// expressions restricting both are compared in <see cref="CronScheduleTests"/> instead. Cronos also reads a
/// backwards range ("22-2") as wrapping around; we reject it as a likely mistake. 6-field expressions (seconds
/// first) are compared with Cronos reading seconds too.</summary>
public class CronScheduleCronosTests
{
    private static readonly string[] Zones = ["UTC", "America/New_York", "Europe/London"];

    private static readonly DateTimeOffset[] Starts =
    [
        new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        new(2026, 3, 8, 5, 30, 0, TimeSpan.Zero), // New York springs forward at 07:00Z
        new(2026, 3, 29, 0, 45, 0, TimeSpan.Zero), // London springs forward at 01:00Z
        new(2026, 10, 25, 0, 15, 0, TimeSpan.Zero), // London falls back at 01:00Z
        new(2026, 11, 1, 4, 50, 0, TimeSpan.Zero), // New York falls back at 06:00Z
        new(2026, 12, 31, 23, 59, 30, TimeSpan.Zero),
        new(2026, 3, 8, 6, 59, 57, TimeSpan.Zero), // three seconds before New York springs forward
        new(2026, 11, 1, 5, 59, 58, TimeSpan.Zero), // two seconds before New York falls back
        new DateTimeOffset(2026, 10, 25, 0, 59, 59, TimeSpan.Zero).AddTicks(1234567), // a second (and a fraction) before London falls back
    ];

    public static TheoryData<string> Expressions()
    {
        string[] handPicked =
        [
            "* * * * *", "0 * * * *", "*/15 * * * *", "30 2 * * *", "0 1 * * *", "30 1 * * *", "59 23 31 12 *",
            "0 0 29 2 *", "0 0 31 * *", "0 12 * * 0", "0 12 * * 7", "0 9-17 * * 1-5", "5-55/10 * * * *",
            "0 0 1 jan,jul *", "15 10 * * MON-FRI", "0 0 * * sat,sun", "0 */6 * * *", "0 3 1-7 * *", "0 2 * 3 *",
            "0 0 1 */3 *", "7/20 * * * *", "0 0 * * 5", "1,2,3 1,2,3 * * *", "0 2-3 * * *", "59 1,2 * * *", "59 0,1 * * *",
            "@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually",
        ];
        var data = new TheoryData<string>(handPicked);
        var random = new Random(20261124);
        var seen = new HashSet<string>(handPicked);
        while (seen.Count < 250)
        {
            var expression = RandomExpression(random);
            if (seen.Add(expression))
            {
                data.Add(expression);
            }
        }

        return data;
    }

    /// <summary>6-field expressions: seconds in every form, before the same random minute-to-weekday fields.</summary>
    public static TheoryData<string> SecondsExpressions()
    {
        string[] handPicked =
        [
            "* * * * * *", "*/10 * * * * *", "0 */5 * * * *", "30 * * * * *", "59 59 23 31 12 *", "15,45 * * * * *",
            "5-20/5 * * * * *", "7/20 * * * * *", "0-59/1 * * * * *", "58-59 59 * * * *", "*/30 30 1 * * *",
            "45 30 2 * * *", "10 30 1 * * *", "0 0 0 29 2 *", "*/15 * 9-17 * * MON-FRI", "1 2 3 * jan,jul *",
            "0 0 2 * * *", "* 0 2 * * *", "* 59 1 * * *", "0 0 0 * * 0", "0 0 0 * * 7",
        ];
        var data = new TheoryData<string>(handPicked);
        var random = new Random(20261126);
        var seen = new HashSet<string>(handPicked);
        while (seen.Count < handPicked.Length + 150)
        {
            var expression = $"{Field(random, 0, 59)} {RandomExpression(random)}";
            if (seen.Add(expression))
            {
                data.Add(expression);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Expressions))]
    [MemberData(nameof(SecondsExpressions))]
    public void NextOccurrences_MatchCronos_InEveryZone(string expression)
    {
        var ours = CronSchedule.Parse(expression);
        var theirs = Cronos.CronExpression.Parse(expression, CronosFormat(expression));
        foreach (var zoneId in Zones)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            foreach (var start in Starts)
            {
                var from = start;
                for (var i = 0; i < 20; i++)
                {
                    var expected = theirs.GetNextOccurrence(from, zone);
                    var actual = ours.GetNextOccurrence(from, zone);
                    Assert.True(expected == actual, $"{expression} in {zoneId} after {from:O}: Cronos {expected:O}, ours {actual:O}");
                    if (actual is null)
                    {
                        break;
                    }

                    from = actual.Value;
                }
            }
        }
    }

    public static TheoryData<string> ValidityCases()
    {
        var data = new TheoryData<string>
        {
            "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * * 13 *", "* * * 0 *", "* * * * 8",
            "*/0 * * * *", "*/90 * * * *", "* * * * */8", "a * * * *", "* * * * * *", "* * * *", "1,,2 * * * *", "-1 * * * *",
            "@fortnightly", "", "* * * foo *", "1- * * * *", "*/ * * * *",
            "60 * * * * *", "*/0 * * * * *", "*/60 * * * * *", "a * * * * *", "1,,2 * * * * *", "-1 * * * * *",
            "0 60 * * * *", "0 * 24 * * *", "0 * * 0 * *", "0 * * * 13 *", "0 * * * * 8", "1- * * * * *",
        };
        foreach (var expression in Expressions().Concat<object[]>(SecondsExpressions()))
        {
            data.Add((string)expression[0]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ValidityCases))]
    public void Validity_MatchesCronos(string expression)
    {
        var cronosAccepts = Cronos.CronExpression.TryParse(expression, CronosFormat(expression), out _);
        var weAccept = CronSchedule.TryParse(expression, out _, out var error);
        Assert.True(cronosAccepts == weAccept, $"'{expression}': Cronos {(cronosAccepts ? "accepts" : "rejects")}, we {(weAccept ? "accept" : $"reject ({error})")}");
    }

    /// <summary>Cronos reads seconds only when told to: tell it when the expression has six fields.</summary>
    private static Cronos.CronFormat CronosFormat(string expression) =>
        expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? Cronos.CronFormat.IncludeSeconds : Cronos.CronFormat.Standard;

    /// <summary>A random expression in the syntax both libraries share, with at most one restricted day field.</summary>
    internal static string RandomExpression(Random random)
    {
        var restrictDayOfMonth = random.Next(2) == 0;
        return string.Join(' ',
            Field(random, 0, 59),
            Field(random, 0, 23),
            restrictDayOfMonth ? Field(random, 1, 31) : "*",
            Field(random, 1, 12),
            restrictDayOfMonth ? "*" : Field(random, 0, 6));
    }

    internal static string Field(Random random, int min, int max)
    {
        int Value() => random.Next(min, max + 1);
        switch (random.Next(7))
        {
            case 0: return "*";
            case 1: return $"*/{random.Next(1, Math.Max(2, (max - min) / 2))}";
            case 2: return Value().ToString(System.Globalization.CultureInfo.InvariantCulture);
            case 3:
                var low = Value();
                return $"{low}-{random.Next(low, max + 1)}";
            case 4:
                var from = Value();
                return $"{from}-{random.Next(from, max + 1)}/{random.Next(1, 5)}";
            case 5: return string.Join(',', Enumerable.Range(0, random.Next(2, 4)).Select(_ => Value()).Distinct());
            default: return $"{Value()}/{random.Next(1, Math.Min(10, max + 1))}";
        }
    }
}
