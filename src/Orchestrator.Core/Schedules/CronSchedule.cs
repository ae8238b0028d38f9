using System.Diagnostics.CodeAnalysis;

namespace Orchestrator.Core.Schedules;

/// <summary>A 5-field cron expression (minute hour day-of-month month day-of-week), the same with a leading seconds
/// field (6 fields, as Quartz and Cronos read them; 5 fields mean second 0), or a preset, as DAG schedules use them.
/// When both day fields are restricted a day matches if either does (Vixie cron); a field is "unrestricted" when it
/// matches every value. Occurrences are computed in a time zone's wall-clock time.</summary>
public sealed class CronSchedule
{
    public static readonly IReadOnlyDictionary<string, string> Presets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    /// <summary>What the fields are, for messages that say what is expected.</summary>
    public const string ExpectedFields = "5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first";

    private CronSchedule(string expression, CronField seconds, ReadOnlySpan<CronField> fields)
    {
        Expression = expression;
        Seconds = seconds;
        Minutes = fields[0];
        Hours = fields[1];
        DaysOfMonth = fields[2];
        Months = fields[3];
        DaysOfWeek = fields[4];
        // Like Cronos: a '*' or step in the second, minute or hour field makes it an interval schedule, which fires
        // in both offsets of a repeated (fall-back) hour; fixed times fire once.
        IsInterval = Seconds.IsStar || Seconds.HasStep || Minutes.IsStar || Minutes.HasStep || Hours.IsStar || Hours.HasStep;
    }

    /// <summary>The text as written, e.g. "0 3 * * *", "*/10 * * * * *" or "@daily".</summary>
    public string Expression { get; }

    /// <summary>Whether the expression has a seconds field (6 fields); a 5-field one fires at second 0.</summary>
    public bool HasSeconds { get; private init; }

    internal CronField Seconds { get; }

    internal CronField Minutes { get; }

    internal CronField Hours { get; }

    internal CronField DaysOfMonth { get; }

    internal CronField Months { get; }

    internal CronField DaysOfWeek { get; }

    internal bool IsInterval { get; }

    public static bool TryParse(string? text, [NotNullWhen(true)] out CronSchedule? schedule, [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"empty schedule; expected {ExpectedFields}, or a preset such as @daily";
            return false;
        }

        var trimmed = text.Trim();
        var expanded = trimmed;
        if (trimmed.StartsWith('@'))
        {
            if (!Presets.TryGetValue(trimmed, out var preset))
            {
                error = $"unknown preset '{trimmed}'; expected one of {string.Join(", ", Presets.Keys)}";
                return false;
            }

            expanded = preset;
        }

        var parts = expanded.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is not (5 or 6))
        {
            error = $"expected {ExpectedFields}, but found {parts.Length}";
            return false;
        }

        var kinds = parts.Length == 6 ? CronFieldKind.WithSeconds : CronFieldKind.Classic;
        var fields = new CronField[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!CronFieldParser.TryParse(parts[i], kinds[i], i + 1, out fields[i], out error))
            {
                return false;
            }
        }

        schedule = parts.Length == 6
            ? new CronSchedule(trimmed, fields[0], fields.AsSpan(1)) { HasSeconds = true }
            : new CronSchedule(trimmed, CronField.SecondZero, fields);
        error = null;
        return true;
    }

    public static CronSchedule Parse(string text) =>
        TryParse(text, out var schedule, out var error) ? schedule : throw new FormatException($"invalid cron expression '{text}': {error}");

    /// <summary>The next fire time strictly after <paramref name="after"/>, or null when the expression never matches.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after, TimeZoneInfo zone) =>
        CronOccurrences.Next(this, after, zone);

    /// <summary>The last fire time in [<paramref name="earliest"/>, <paramref name="before"/>), or null.</summary>
    internal DateTimeOffset? GetPreviousOccurrence(DateTimeOffset before, DateTimeOffset earliest, TimeZoneInfo zone) =>
        CronOccurrences.Previous(this, before, earliest, zone);

    /// <summary>Every fire time in [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>), in order (catchup).</summary>
    public IEnumerable<DateTimeOffset> GetOccurrences(DateTimeOffset fromInclusive, DateTimeOffset toExclusive, TimeZoneInfo zone)
    {
        for (var next = CronOccurrences.Next(this, fromInclusive.AddTicks(-1), zone);
             next is { } occurrence && occurrence < toExclusive;
             next = CronOccurrences.Next(this, occurrence, zone))
        {
            yield return occurrence;
        }
    }

    /// <summary>Whether a wall-clock day matches the day fields (OR when both are restricted).</summary>
    internal bool MatchesDay(DateTime day)
    {
        var domFull = DaysOfMonth.Bits == AllDaysOfMonth;
        var dowFull = DaysOfWeek.Bits == AllDaysOfWeek;
        var dom = DaysOfMonth.Contains(day.Day);
        var dow = DaysOfWeek.Contains((int)day.DayOfWeek);
        return domFull || dowFull ? dom && dow : dom || dow;
    }

    /// <summary>Quartz.NET cron expressions ("sec min hour dom month dow") whose union fires exactly when this does.
    /// Quartz counts weekdays 1-7 from Sunday. Two restricted day fields (OR) become two expressions, each with '?'
    /// in the other day field, so each trigger means one day rule whatever Quartz makes of two.</summary>
    public IReadOnlyList<string> ToQuartzCronExpressions()
    {
        var time = $"{Seconds.ToList()} {Minutes.ToList()} {Hours.ToList()}";
        var months = Months.Bits == AllMonths ? "*" : Months.ToList();
        var quartzDays = string.Join(',', DaysOfWeek.Values().Select(d => d + 1));
        var domFull = DaysOfMonth.Bits == AllDaysOfMonth;
        var dowFull = DaysOfWeek.Bits == AllDaysOfWeek;
        return (domFull, dowFull) switch
        {
            (true, true) => [$"{time} * {months} ?"],
            (true, false) => [$"{time} ? {months} {quartzDays}"],
            (false, true) => [$"{time} {DaysOfMonth.ToList()} {months} ?"],
            _ => [$"{time} {DaysOfMonth.ToList()} {months} ?", $"{time} ? {months} {quartzDays}"],
        };
    }

    public override string ToString() => Expression;

    private const ulong AllDaysOfMonth = ((1UL << 32) - 1) & ~1UL;
    private const ulong AllDaysOfWeek = (1UL << 7) - 1;
    private const ulong AllMonths = ((1UL << 13) - 1) & ~1UL;
}
