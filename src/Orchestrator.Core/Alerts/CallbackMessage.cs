using System.Text.RegularExpressions;

namespace Orchestrator.Core.Alerts;

/// <summary>The placeholders a callback message may use. Deliberately a small fixed set, not the args templates: an
/// alert is stored and shown, so a <c>{{ var.X }}</c> or <c>{{ conn.X.password }}</c> must never be expanded into it.</summary>
public static partial class CallbackMessage
{
    public static IReadOnlyList<string> Placeholders { get; } = ["dag.id", "run.id", "task.id", "task.tryNumber", "reason"];

    /// <summary>Why <paramref name="message"/> uses a placeholder that does not exist, or null.</summary>
    public static string? Explain(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (Match match in Placeholder().Matches(message))
        {
            if (!Placeholders.Contains(match.Groups["name"].Value))
            {
                return $"unknown placeholder '{match.Value}'; a callback message may use {string.Join(", ", Placeholders.Select(p => "{{ " + p + " }}"))}";
            }
        }

        return null;
    }

    /// <summary>Replaces each known placeholder by its value (empty when the value is absent); leaves others as written.</summary>
    public static string Render(string message, IReadOnlyDictionary<string, string?> values)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(values);
        return Placeholder().Replace(message, match =>
            values.TryGetValue(match.Groups["name"].Value, out var value) ? value ?? "" : match.Value);
    }

    [GeneratedRegex(@"\{\{\s*(?<name>[A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")]
    private static partial Regex Placeholder();
}
