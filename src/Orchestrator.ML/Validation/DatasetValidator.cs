using System.Globalization;
using Orchestrator.ML.Data;

namespace Orchestrator.ML.Validation;

/// <summary>Checks a dataset's profile against a reference profile and/or declared expectations and lists every
/// anomaly (TFX's ExampleValidator idea, on profiles rather than rows: no data is re-read).</summary>
public static class DatasetValidator
{
    /// <summary>Tolerance for comparing shares and bounds computed in floating point (0.01 + 0.02 is not 0.03).</summary>
    private const double Slack = 1e-12;

    public static ValidationReport Validate(DatasetProfile current, ValidationRules rules)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(rules);
        rules.Tolerances.Validate();
        var anomalies = new List<Anomaly>();
        var notes = new List<string>();
        if (rules.Reference is not null)
        {
            CheckAgainstReference(current, rules.Reference, rules.Tolerances, anomalies, notes);
        }

        if (rules.Expectations is not null)
        {
            CheckExpectations(current, rules.Expectations, anomalies, notes);
        }

        return new ValidationReport(current.Rows, current.Columns.Count, anomalies, notes);
    }

    private static void CheckAgainstReference(DatasetProfile current, DatasetProfile reference, ReferenceTolerances tolerances, List<Anomaly> anomalies, List<string> notes)
    {
        foreach (var expected in reference.Columns)
        {
            var actual = current.Find(expected.Name);
            if (actual is null)
            {
                anomalies.Add(new Anomaly(expected.Name, "schema.missingColumn", $"present ({Kind(expected.Kind)}, as in the reference)", "absent"));
                continue;
            }

            if (actual.Kind != expected.Kind)
            {
                anomalies.Add(new Anomaly(expected.Name, "schema.kind", Kind(expected.Kind) + " (as in the reference)", Kind(actual.Kind)));
                continue;
            }

            var allowedMissing = expected.MissingShare + tolerances.MissingShare;
            if (actual.MissingShare > allowedMissing + Slack)
            {
                anomalies.Add(new Anomaly(expected.Name, "missing.share",
                    $"<= {Share(allowedMissing)} (reference {Share(expected.MissingShare)} + {Share(tolerances.MissingShare)})",
                    $"{Share(actual.MissingShare)} ({actual.Missing} of {actual.Count + actual.Missing})"));
            }

            if (expected.Kind == ColumnKind.Numeric)
            {
                CheckReferenceRange(expected, actual, tolerances.Range, anomalies);
            }
            else
            {
                CheckUnseenValues(expected, actual, tolerances.UnseenShare, anomalies, notes);
            }
        }

        foreach (var extra in current.Columns.Where(column => reference.Find(column.Name) is null))
        {
            anomalies.Add(new Anomaly(extra.Name, "schema.extraColumn", "no such column (not in the reference)", $"present ({Kind(extra.Kind)})"));
        }
    }

    private static void CheckReferenceRange(ColumnProfile expected, ColumnProfile actual, double tolerance, List<Anomaly> anomalies)
    {
        if (expected.Numeric is not { } reference || actual.Numeric is not { } found)
        {
            return; // a column without values has no range to compare
        }

        var widening = (reference.Max - reference.Min) * tolerance;
        var low = reference.Min - widening;
        var high = reference.Max + widening;
        var because = $"reference [{Number(reference.Min)}, {Number(reference.Max)}] widened by {Share(tolerance)} of its width";
        if (found.Min < low - Slack)
        {
            anomalies.Add(new Anomaly(expected.Name, "range.min", $">= {Number(low)} ({because})", Number(found.Min)));
        }

        if (found.Max > high + Slack)
        {
            anomalies.Add(new Anomaly(expected.Name, "range.max", $"<= {Number(high)} ({because})", Number(found.Max)));
        }
    }

    private static void CheckUnseenValues(ColumnProfile expected, ColumnProfile actual, double tolerance, List<Anomaly> anomalies, List<string> notes)
    {
        if (expected.Categorical is not { } reference || actual.Categorical is not { } found || actual.Count == 0)
        {
            return;
        }

        if (!reference.IsComplete)
        {
            notes.Add($"{expected.Name}: unseen-value check skipped: the reference profile lists only {reference.Top.Count} of its at least {reference.Distinct} values");
            return;
        }

        var known = reference.Top.Select(value => value.Value).ToHashSet(StringComparer.Ordinal);
        var unseen = found.Top.Where(value => !known.Contains(value.Value)).ToList();
        var unseenCount = unseen.Sum(value => value.Count);
        if (!found.IsComplete && found.OtherCount > 0)
        {
            notes.Add($"{expected.Name}: {found.OtherCount} values beyond the profile's top {found.Top.Count} could not be compared with the reference");
        }

        var share = (double)unseenCount / actual.Count;
        if (share > tolerance + Slack)
        {
            anomalies.Add(new Anomaly(expected.Name, "values.unseen",
                $"<= {Share(tolerance)} of values unseen in the reference",
                $"{Share(share)}: {Listing(unseen)}"));
        }
    }

    private static void CheckExpectations(DatasetProfile current, DatasetExpectations expectations, List<Anomaly> anomalies, List<string> notes)
    {
        if (current.Rows < expectations.MinRows)
        {
            anomalies.Add(new Anomaly(null, "rows.min", $">= {expectations.MinRows} rows", $"{current.Rows} rows"));
        }

        if (current.Rows > expectations.MaxRows)
        {
            anomalies.Add(new Anomaly(null, "rows.max", $"<= {expectations.MaxRows} rows", $"{current.Rows} rows"));
        }

        foreach (var (name, expected) in expectations.Columns)
        {
            var actual = current.Find(name);
            if (actual is null)
            {
                anomalies.Add(new Anomaly(name, "schema.missingColumn", "present (declared in the expectations)", "absent"));
                continue;
            }

            var wantsNumeric = expected.Kind == ColumnKind.Numeric || expected.Min is not null || expected.Max is not null;
            var wantsCategorical = expected.Kind == ColumnKind.Categorical || expected.Values is not null;
            if (expected.Kind is { } kind && actual.Kind != kind)
            {
                anomalies.Add(new Anomaly(name, "schema.kind", Kind(kind), Kind(actual.Kind)));
            }
            else if (expected.Kind is null && wantsNumeric && actual.Kind != ColumnKind.Numeric)
            {
                anomalies.Add(new Anomaly(name, "schema.kind", "numeric (min/max are declared)", Kind(actual.Kind)));
            }
            else if (expected.Kind is null && wantsCategorical && actual.Kind != ColumnKind.Categorical)
            {
                anomalies.Add(new Anomaly(name, "schema.kind", "categorical (values are declared)", Kind(actual.Kind)));
            }

            if (expected.MaxMissing is { } maxMissing && actual.MissingShare > maxMissing + Slack)
            {
                anomalies.Add(new Anomaly(name, "missing.share", $"<= {Share(maxMissing)}", $"{Share(actual.MissingShare)} ({actual.Missing} of {actual.Count + actual.Missing})"));
            }

            if (actual.Numeric is { } numeric)
            {
                if (expected.Min is { } min && numeric.Min < min - Slack)
                {
                    anomalies.Add(new Anomaly(name, "range.min", $">= {Number(min)}", Number(numeric.Min)));
                }

                if (expected.Max is { } max && numeric.Max > max + Slack)
                {
                    anomalies.Add(new Anomaly(name, "range.max", $"<= {Number(max)}", Number(numeric.Max)));
                }
            }

            if (expected.Values is { } allowed && actual.Categorical is { } categorical && actual.Count > 0)
            {
                CheckAllowedValues(name, allowed, expected.MaxUnseenShare, actual, categorical, anomalies, notes);
            }
        }
    }

    private static void CheckAllowedValues(string name, IReadOnlyList<string> allowed, double tolerance, ColumnProfile actual, CategoricalProfile categorical, List<Anomaly> anomalies, List<string> notes)
    {
        var allowedSet = allowed.ToHashSet(StringComparer.Ordinal);
        var outside = categorical.Top.Where(value => !allowedSet.Contains(value.Value)).ToList();
        // Values the profile could not list cannot be shown to be allowed: they count as outside.
        var outsideCount = outside.Sum(value => value.Count) + categorical.OtherCount;
        if (categorical.OtherCount > 0)
        {
            notes.Add($"{name}: {categorical.OtherCount} values beyond the profile's top {categorical.Top.Count} count as outside the declared values");
        }

        var share = (double)outsideCount / actual.Count;
        if (share > tolerance + Slack)
        {
            var listing = Listing(outside) + (categorical.OtherCount > 0 ? $"{(outside.Count > 0 ? ", " : "")}{categorical.OtherCount} unlisted" : "");
            anomalies.Add(new Anomaly(name, "values.allowed",
                $"values in [{string.Join(", ", allowed)}]" + (tolerance > 0 ? $", at most {Share(tolerance)} outside" : ""),
                $"{Share(share)} outside: {listing}"));
        }
    }

    private static string Listing(List<ValueFrequency> values)
    {
        const int Shown = 5;
        var shown = string.Join(", ", values.Take(Shown).Select(value => $"'{value.Value}' x{value.Count}"));
        return values.Count > Shown ? $"{shown} and {values.Count - Shown} more" : shown;
    }

    private static string Kind(ColumnKind kind) => kind == ColumnKind.Numeric ? "numeric" : "categorical";

    private static string Share(double share) => share.ToString("0.##%", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("G7", CultureInfo.InvariantCulture);
}
