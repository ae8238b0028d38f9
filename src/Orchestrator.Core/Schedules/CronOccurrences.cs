namespace Orchestrator.Core.Schedules;

/// <summary>Finds fire times: a calendar search in wall-clock time, then the mapping of that wall time to an
/// instant across DST changes (as Cronos does): a wall time skipped by spring-forward fires at the
/// transition; a repeated wall time fires once, or in both offsets for interval schedules.</summary>
internal static class CronOccurrences
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    // Enough to find Feb 29 on a given weekday and to give up on impossible dates like Feb 30.
    private const int MaxYearsAhead = 30;

    public static DateTimeOffset? Next(CronSchedule cron, DateTimeOffset after, TimeZoneInfo zone)
    {
        // Instants are searched at second granularity, strictly after 'after'.
        var t = new DateTimeOffset(after.UtcTicks - (after.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero) + Second;
        var limit = t.AddYears(MaxYearsAhead);
        while (t < limit)
        {
            var wall = NextWallTime(cron, WallClockAt(t, zone), limit.UtcDateTime);
            if (wall is not { } match)
            {
                return null;
            }

            var candidate = ToInstant(cron, match, zone, t, out var skipTo);
            if (candidate is null)
            {
                t = skipTo;
                continue;
            }

            // A fall-back between t and the candidate repeats wall times we have not looked at yet.
            var offsetAtT = zone.GetUtcOffset(t);
            if (zone.GetUtcOffset(candidate.Value) < offsetAtT)
            {
                var transition = FirstInstantWithOffsetBelow(zone, t, candidate.Value, offsetAtT);
                if (transition > t && transition < candidate.Value)
                {
                    t = transition;
                    continue;
                }
            }

            return candidate;
        }

        return null;
    }

    /// <summary>The last fire time in [<paramref name="earliest"/>, <paramref name="before"/>), or null. Finds a window
    /// holding one (growing back from a minute), then halves it: about 40 searches forward whatever the schedule, where
    /// listing the window would cost one per fire (millions for an every-second schedule restricted to some months).</summary>
    public static DateTimeOffset? Previous(CronSchedule cron, DateTimeOffset before, DateTimeOffset earliest, TimeZoneInfo zone)
    {
        if (before <= earliest)
        {
            return null;
        }

        DateTimeOffset low;
        for (var window = TimeSpan.FromMinutes(1); ; window *= 8)
        {
            low = window >= before - earliest ? earliest : before - window;
            if (AnyIn(cron, low, before, zone))
            {
                break;
            }

            if (low == earliest)
            {
                return null;
            }
        }

        // A fire in [low, high), none in [high, before).
        var high = before;
        while (high - low > Second)
        {
            var middle = low + ((high - low) / 2);
            if (AnyIn(cron, middle, high, zone))
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return cron.GetOccurrences(low, high, zone).Last();
    }

    private static bool AnyIn(CronSchedule cron, DateTimeOffset fromInclusive, DateTimeOffset toExclusive, TimeZoneInfo zone) =>
        Next(cron, fromInclusive.AddTicks(-1), zone) is { } next && next < toExclusive;

    /// <summary>The wall time to search from at instant <paramref name="t"/>. At the very instant clocks spring
    /// forward (the previous fire was the last second before it) the skipped wall times are still unsearched: read
    /// <paramref name="t"/> with the offset before the jump, so a skipped time fires at the transition.</summary>
    private static DateTime WallClockAt(DateTimeOffset t, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(t, zone);
        var offsetBefore = zone.GetUtcOffset(t.AddTicks(-1));
        return offsetBefore < local.Offset ? t.UtcDateTime + offsetBefore : local.DateTime;
    }

    /// <summary>The instant a matching wall time fires at, at or after <paramref name="notBefore"/>; null with
    /// <paramref name="skipTo"/> set when this wall time must not fire (a fixed time's repeat).</summary>
    private static DateTimeOffset? ToInstant(CronSchedule cron, DateTime wall, TimeZoneInfo zone, DateTimeOffset notBefore, out DateTimeOffset skipTo)
    {
        skipTo = default;
        if (zone.IsInvalidTime(wall))
        {
            // Skipped by spring-forward: fire once, when the clocks change.
            var transition = FirstInstantAfterWall(zone, wall, notBefore);
            return transition;
        }

        if (zone.IsAmbiguousTime(wall))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(wall);
            var early = new DateTimeOffset(wall, offsets.Max());
            var late = new DateTimeOffset(wall, offsets.Min());
            if (early >= notBefore)
            {
                return early;
            }

            if (cron.IsInterval && late >= notBefore)
            {
                return late;
            }

            skipTo = late + Second;
            return null;
        }

        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }

    /// <summary>The first matching wall time at or after <paramref name="from"/> (second precision).</summary>
    internal static DateTime? NextWallTime(CronSchedule cron, DateTime from, DateTime limit)
    {
        var t = new DateTime(from.Year, from.Month, from.Day, from.Hour, from.Minute, from.Second, DateTimeKind.Unspecified);
        while (t < limit)
        {
            if (!cron.Months.Contains(t.Month))
            {
                var month = cron.Months.NextFrom(t.Month + 1);
                t = month < 0 ? new DateTime(t.Year + 1, cron.Months.First, 1) : new DateTime(t.Year, month, 1);
                continue;
            }

            if (!cron.MatchesDay(t))
            {
                t = t.Date.AddDays(1);
                continue;
            }

            var hour = cron.Hours.NextFrom(t.Hour);
            if (hour < 0)
            {
                t = t.Date.AddDays(1);
                continue;
            }

            if (hour != t.Hour)
            {
                t = t.Date.AddHours(hour);
            }

            var minute = cron.Minutes.NextFrom(t.Minute);
            if (minute < 0)
            {
                t = t.Date.AddHours(t.Hour + 1);
                continue;
            }

            if (minute != t.Minute)
            {
                t = t.Date.AddHours(t.Hour).AddMinutes(minute);
            }

            var second = cron.Seconds.NextFrom(t.Second);
            if (second < 0)
            {
                t = t.Date.AddHours(t.Hour).AddMinutes(t.Minute + 1);
                continue;
            }

            return t.Date.AddHours(t.Hour).AddMinutes(t.Minute).AddSeconds(second);
        }

        return null;
    }

    private static DateTimeOffset FirstInstantAfterWall(TimeZoneInfo zone, DateTime wall, DateTimeOffset notBefore)
    {
        // Before the gap the offset is the old one: the wall time read with it is past the transition.
        var guess = new DateTimeOffset(wall, zone.GetUtcOffset(wall.AddHours(-3)));
        // Just before notBefore: when notBefore is the transition itself, the search must start on its old side.
        var low = guess.AddHours(-3) > notBefore ? guess.AddHours(-3) : notBefore.AddTicks(-1);
        var high = guess.AddHours(3);
        var before = zone.GetUtcOffset(low);
        return FirstInstantWithOffsetOtherThan(zone, low, high, before);
    }

    private static DateTimeOffset FirstInstantWithOffsetBelow(TimeZoneInfo zone, DateTimeOffset low, DateTimeOffset high, TimeSpan offset) =>
        FirstInstantWithOffsetOtherThan(zone, low, high, offset);

    /// <summary>Binary search (minute precision) for the first instant in (low, high] whose offset differs.</summary>
    private static DateTimeOffset FirstInstantWithOffsetOtherThan(TimeZoneInfo zone, DateTimeOffset low, DateTimeOffset high, TimeSpan offset)
    {
        var lo = low.UtcTicks / TimeSpan.TicksPerMinute;
        var hi = high.UtcTicks / TimeSpan.TicksPerMinute;
        while (lo + 1 < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (zone.GetUtcOffset(new DateTimeOffset(mid * TimeSpan.TicksPerMinute, TimeSpan.Zero)) == offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        var instant = new DateTimeOffset(hi * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        return instant.ToOffset(zone.GetUtcOffset(instant));
    }
}
