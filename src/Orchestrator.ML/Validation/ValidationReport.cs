using System.Text;
using System.Text.Json;

namespace Orchestrator.ML.Validation;

/// <summary>The outcome of <see cref="DatasetValidator.Validate"/>: every anomaly found, and notes on checks that
/// could not be made (e.g. a reference listing only its top values).</summary>
public sealed record ValidationReport(long Rows, int Columns, IReadOnlyList<Anomaly> Anomalies, IReadOnlyList<string> Notes)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public bool Passed => Anomalies.Count == 0;

    /// <summary>A heading and an aligned table, one anomaly a line, then the notes.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(Passed
            ? $"Validation passed: no anomalies ({Rows} rows, {Columns} columns)"
            : $"Validation failed: {Anomalies.Count} {(Anomalies.Count == 1 ? "anomaly" : "anomalies")} ({Rows} rows, {Columns} columns)").Append('\n');
        if (!Passed)
        {
            string[] heading = ["COLUMN", "CHECK", "EXPECTED", "ACTUAL"];
            var rows = Anomalies.Select(anomaly => new[] { anomaly.Column ?? "(dataset)", anomaly.Check, anomaly.Expected, anomaly.Actual }).Prepend(heading).ToList();
            var widths = Enumerable.Range(0, 3).Select(i => rows.Max(row => row[i].Length)).ToArray();
            foreach (var row in rows)
            {
                text.Append("  ");
                for (var i = 0; i < 3; i++)
                {
                    text.Append(row[i].PadRight(widths[i])).Append("  ");
                }

                text.Append(row[3]).Append('\n');
            }
        }

        if (Notes.Count > 0)
        {
            text.Append("Notes:\n");
            foreach (var note in Notes)
            {
                text.Append("  - ").Append(note).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary><c>{"passed":…,"rows":…,"columns":…,"anomalies":[{"column","check","expected","actual"}],"notes":[…]}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(new { Passed, Rows, Columns, Anomalies, Notes }, JsonOptions);
}
