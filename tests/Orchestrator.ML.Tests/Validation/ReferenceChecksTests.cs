using Orchestrator.ML.Data;
using Orchestrator.ML.Validation;
using static Orchestrator.ML.Tests.Validation.Profiles;

namespace Orchestrator.ML.Tests.Validation;

/// <summary>Each reference check at its pass and fail boundaries.</summary>
public sealed class ReferenceChecksTests
{
    private static ValidationReport Check(DatasetProfile current, DatasetProfile reference, ReferenceTolerances? tolerances = null) =>
        DatasetValidator.Validate(current, new ValidationRules { Reference = reference, Tolerances = tolerances ?? new ReferenceTolerances() });

    private static Anomaly Single(ValidationReport report)
    {
        Assert.False(report.Passed);
        return Assert.Single(report.Anomalies);
    }

    [Fact]
    public void The_reference_itself_passes()
    {
        var reference = Dataset(Numeric("fare", 0, 100), Categorical("pay", [("CRD", 60), ("CSH", 40)]));
        var report = Check(reference, reference);

        Assert.True(report.Passed);
        Assert.Empty(report.Notes);
    }

    [Fact]
    public void A_column_missing_from_the_current_data_is_an_anomaly()
    {
        var anomaly = Single(Check(Dataset(Numeric("a", 0, 1)), Dataset(Numeric("a", 0, 1), Numeric("b", 0, 1))));
        Assert.Equal(new Anomaly("b", "schema.missingColumn", "present (numeric, as in the reference)", "absent"), anomaly);
    }

    [Fact]
    public void A_column_the_reference_lacks_is_an_anomaly()
    {
        var anomaly = Single(Check(Dataset(Numeric("a", 0, 1), Categorical("z", [("x", 100)])), Dataset(Numeric("a", 0, 1))));
        Assert.Equal(("z", "schema.extraColumn"), (anomaly.Column, anomaly.Check));
    }

    [Fact]
    public void A_changed_kind_is_an_anomaly_and_skips_that_column_s_other_checks()
    {
        var anomaly = Single(Check(Dataset(Categorical("a", [("x", 100)], missing: 90)), Dataset(Numeric("a", 0, 1))));
        Assert.Equal(new Anomaly("a", "schema.kind", "numeric (as in the reference)", "categorical"), anomaly);
    }

    [Theory]
    [InlineData(3, true)] // reference 1% + tolerance 2% = 3%: at the bound passes
    [InlineData(4, false)]
    public void Missing_share_may_exceed_the_reference_s_by_the_tolerance(long missing, bool passes)
    {
        var reference = Dataset(Numeric("a", 0, 1, count: 99, missing: 1));
        var report = Check(Dataset(Numeric("a", 0, 1, count: 100 - missing, missing: missing)), reference);

        Assert.Equal(passes, report.Passed);
        if (!passes)
        {
            Assert.Equal(new Anomaly("a", "missing.share", "<= 3% (reference 1% + 2%)", "4% (4 of 100)"), Single(report));
        }
    }

    [Theory]
    [InlineData(-10, 110, 0.1, true)] // reference [0, 100] widened by 10% of 100 on each side
    [InlineData(-10.5, 100, 0.1, false)]
    [InlineData(0, 110.5, 0.1, false)]
    [InlineData(0, 100, 0, true)]
    [InlineData(0, 100.01, 0, false)]
    [InlineData(-0.01, 100, 0, false)]
    public void Numeric_values_must_stay_within_the_widened_reference_range(double min, double max, double tolerance, bool passes)
    {
        var report = Check(Dataset(Numeric("a", min, max)), Dataset(Numeric("a", 0, 100)), new ReferenceTolerances(Range: tolerance));

        Assert.Equal(passes, report.Passed);
        if (!passes)
        {
            Assert.Equal(min < -tolerance * 100 ? "range.min" : "range.max", Single(report).Check);
        }
    }

    [Fact]
    public void Range_anomalies_say_the_bound_and_where_it_comes_from()
    {
        var anomaly = Single(Check(Dataset(Numeric("a", 0, 111)), Dataset(Numeric("a", 0, 100))));
        Assert.Equal(new Anomaly("a", "range.max", "<= 110 (reference [0, 100] widened by 10% of its width)", "111"), anomaly);
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(5.000001, false)]
    public void A_constant_reference_column_allows_only_its_value(double max, bool passes) =>
        Assert.Equal(passes, Check(Dataset(Numeric("a", 5, max)), Dataset(Numeric("a", 5, 5))).Passed);

    [Fact]
    public void A_numeric_column_without_values_has_no_range_to_check()
    {
        var report = Check(Dataset(EmptyNumeric("a", missing: 100)), Dataset(Numeric("a", 0, 1, count: 0, missing: 100)), new ReferenceTolerances(MissingShare: 1));
        Assert.True(report.Passed);
    }

    [Theory]
    [InlineData(1, true)] // 1 of 100 values unseen = 1%, the tolerance
    [InlineData(2, false)]
    public void Unseen_categories_are_tolerated_up_to_a_share(long unseen, bool passes)
    {
        var reference = Dataset(Categorical("pay", [("CRD", 60), ("CSH", 40)]));
        var report = Check(Dataset(Categorical("pay", [("CRD", 100 - unseen), ("NEW", unseen)])), reference);

        Assert.Equal(passes, report.Passed);
        if (!passes)
        {
            Assert.Equal(new Anomaly("pay", "values.unseen", "<= 1% of values unseen in the reference", "2%: 'NEW' x2"), Single(report));
        }
    }

    [Fact]
    public void Unseen_values_cannot_be_judged_against_an_incomplete_reference()
    {
        var reference = Dataset(Categorical("zone", [("Z1", 50), ("Z2", 40)], other: 10));
        var report = Check(Dataset(Categorical("zone", [("Z9", 100)])), reference);

        Assert.True(report.Passed);
        Assert.Contains("unseen-value check skipped", Assert.Single(report.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public void Values_beyond_the_current_top_list_are_noted()
    {
        var reference = Dataset(Categorical("c", [("a", 100)]));
        var report = Check(Dataset(Categorical("c", [("a", 90)], other: 10)), reference);

        Assert.True(report.Passed);
        Assert.Contains("10 values beyond the profile's top 1", Assert.Single(report.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_anomaly_is_listed_not_just_the_first()
    {
        var reference = Dataset(Numeric("a", 0, 10), Numeric("b", 0, 10), Categorical("c", [("x", 100)]));
        var current = Dataset(Numeric("a", -5, 20, count: 50, missing: 50), Categorical("c", [("y", 100)]));
        var report = Check(current, reference);

        Assert.Equal(
            ["a:missing.share", "a:range.min", "a:range.max", "b:schema.missingColumn", "c:values.unseen"],
            report.Anomalies.Select(anomaly => $"{anomaly.Column}:{anomaly.Check}"));
    }

    [Fact]
    public void Negative_tolerances_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Check(Dataset(), Dataset(), new ReferenceTolerances(Range: -0.1)));
}
