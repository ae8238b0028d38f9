using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace Orchestrator.Core.Durations;

/// <summary>Reads durations as users write them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>,
/// combinations such as <c>1h30m</c>, or ISO 8601 (<c>PT30S</c>).</summary>
public static partial class DurationParser
{
    public const string Expected = "a duration such as \"500ms\", \"30s\", \"5m\", \"1h\", \"1d\", \"1h30m\" or ISO 8601 \"PT30S\"";

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text.StartsWith('P') || text.StartsWith("-P", StringComparison.Ordinal))
        {
            return TryParseIso(text, out duration);
        }

        var match = Compound().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var total = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unitMatch = Part().Match(part.Value);
            var amount = double.Parse(unitMatch.Groups["amount"].Value, CultureInfo.InvariantCulture);
            total += unitMatch.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        duration = total;
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/> naming the text and what is expected.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration)
            ? duration
            : throw new FormatException($"'{text}' is not {Expected}");

    /// <summary>The short form used when printing: <c>1h30m</c>, <c>250ms</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            return $"{duration.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)}ms";
        }

        var parts = new List<string>(4);
        if (duration.Days > 0)
        {
            parts.Add($"{duration.Days}d");
        }

        if (duration.Hours > 0)
        {
            parts.Add($"{duration.Hours}h");
        }

        if (duration.Minutes > 0)
        {
            parts.Add($"{duration.Minutes}m");
        }

        var seconds = duration.Seconds + (duration.Milliseconds / 1000.0);
        if (seconds > 0)
        {
            parts.Add($"{seconds.ToString("0.###", CultureInfo.InvariantCulture)}s");
        }

        return string.Concat(parts);
    }

    private static bool TryParseIso(string text, out TimeSpan duration)
    {
        try
        {
            duration = XmlConvert.ToTimeSpan(text);
            return true;
        }
        catch (FormatException)
        {
            duration = TimeSpan.Zero;
            return false;
        }
        catch (OverflowException)
        {
            duration = TimeSpan.Zero;
            return false;
        }
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|s|m|h|d))+$")]
    private static partial Regex Compound();

    [GeneratedRegex(@"^(?<amount>\d+(\.\d+)?)(?<unit>ms|s|m|h|d)$")]
    private static partial Regex Part();
}
