using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Orchestrator.Core.Schedules;

/// <summary>Parses one cron field: '*', values, names, ranges 'a-b', steps '*/n', 'a-b/n', 'a/n' and lists.</summary>
internal static class CronFieldParser
{
    /// <summary><paramref name="position"/> is the field's 1-based place in the expression as written, for errors.</summary>
    public static bool TryParse(string text, CronFieldKind kind, int position, out CronField field, [NotNullWhen(false)] out string? error)
    {
        field = default;
        ulong bits = 0;
        var hasStep = false;
        foreach (var part in text.Split(','))
        {
            if (!TryParsePart(part, kind, ref bits, ref hasStep, out var partError))
            {
                error = $"field {position} ({kind.Name}): {partError}";
                return false;
            }
        }

        if (kind == CronFieldKind.DayOfWeek && (bits & (1UL << 7)) != 0)
        {
            bits = (bits & ~(1UL << 7)) | 1UL; // 7 is Sunday too
        }

        field = new CronField(bits, text == "*", hasStep);
        error = null;
        return true;
    }

    private static bool TryParsePart(string part, CronFieldKind kind, ref ulong bits, ref bool hasStep, out string? error)
    {
        error = null;
        if (part.Length == 0)
        {
            error = "empty list item";
            return false;
        }

        var step = 1;
        var slash = part.IndexOf('/', StringComparison.Ordinal);
        var range = part;
        if (slash >= 0)
        {
            range = part[..slash];
            var stepText = part[(slash + 1)..];
            if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
            {
                error = $"step '{stepText}' must be a whole number of at least 1";
                return false;
            }

            if (step > kind.Max)
            {
                // '*/90' in minutes does not mean every 90 minutes; say so instead of firing once an hour.
                error = $"step {step} is larger than the field's maximum {kind.Max}";
                return false;
            }

            hasStep = true;
        }

        int low, high;
        if (range == "*")
        {
            (low, high) = (kind.Min, kind == CronFieldKind.DayOfWeek ? 6 : kind.Max);
        }
        else
        {
            var dash = range.IndexOf('-', StringComparison.Ordinal);
            if (!TryValue(dash < 0 ? range : range[..dash], kind, out low, out error))
            {
                return false;
            }

            if (dash < 0)
            {
                // 'a/n' means from a to the end of the range, every n.
                high = slash >= 0 ? kind.Max : low;
            }
            else if (!TryValue(range[(dash + 1)..], kind, out high, out error))
            {
                return false;
            }
            else if (high < low)
            {
                error = $"range '{range}' goes backwards; write the smaller value first";
                return false;
            }
        }

        for (var value = low; value <= high; value += step)
        {
            bits |= 1UL << value;
        }

        return true;
    }

    private static bool TryValue(string text, CronFieldKind kind, out int value, out string? error)
    {
        error = null;
        if (kind.Names is { } names)
        {
            var index = Array.FindIndex(names, name => name.Equals(text, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                value = kind == CronFieldKind.Month ? index + 1 : index;
                return true;
            }
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            var expected = kind.Names is { } known ? $"a number {kind.Min}-{kind.Max} or one of {string.Join(", ", known)}" : $"a number {kind.Min}-{kind.Max}";
            error = $"'{text}' is not {expected}";
            return false;
        }

        if (value < kind.Min || value > kind.Max)
        {
            error = $"value {value} is out of range {kind.Min}-{kind.Max}";
            return false;
        }

        return true;
    }
}
