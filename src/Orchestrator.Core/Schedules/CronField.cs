using System.Globalization;
using System.Numerics;

namespace Orchestrator.Core.Schedules;

/// <summary>One of the fields of a cron expression: its name, range and value names.</summary>
internal sealed record CronFieldKind(string Name, int Min, int Max, string[]? Names = null)
{
    public static readonly CronFieldKind Second = new("second", 0, 59);
    public static readonly CronFieldKind Minute = new("minute", 0, 59);
    public static readonly CronFieldKind Hour = new("hour", 0, 23);
    public static readonly CronFieldKind DayOfMonth = new("day-of-month", 1, 31);
    public static readonly CronFieldKind Month = new("month", 1, 12,
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]);
    // 7 is accepted as Sunday and folded onto 0.
    public static readonly CronFieldKind DayOfWeek = new("day-of-week", 0, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]);

    /// <summary>The classic five fields; a sixth, seconds, may come first.</summary>
    public static readonly CronFieldKind[] Classic = [Minute, Hour, DayOfMonth, Month, DayOfWeek];

    public static readonly CronFieldKind[] WithSeconds = [Second, .. Classic];
}

/// <summary>A parsed field: the set of values it matches, as bits, and whether it was written as a plain '*'.</summary>
internal readonly record struct CronField(ulong Bits, bool IsStar, bool HasStep)
{
    public bool Contains(int value) => (Bits & (1UL << value)) != 0;

    /// <summary>The smallest matched value ≥ <paramref name="from"/>, or -1.</summary>
    public int NextFrom(int from)
    {
        if (from > 63)
        {
            return -1;
        }

        var rest = Bits >> from;
        return rest == 0 ? -1 : from + BitOperations.TrailingZeroCount(rest);
    }

    public int First => BitOperations.TrailingZeroCount(Bits);

    /// <summary>The field a 5-field expression implies for seconds: second 0 only.</summary>
    public static CronField SecondZero => new(1UL, IsStar: false, HasStep: false);

    public IEnumerable<int> Values()
    {
        for (var bits = Bits; bits != 0; bits &= bits - 1)
        {
            yield return BitOperations.TrailingZeroCount(bits);
        }
    }

    public string ToList() => string.Join(',', Values().Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
