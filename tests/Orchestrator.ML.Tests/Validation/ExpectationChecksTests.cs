using Orchestrator.ML.Data;
using Orchestrator.ML.Validation;
using static Orchestrator.ML.Tests.Validation.Profiles;

namespace Orchestrator.ML.Tests.Validation;

/// <summary>Each declared expectation at its pass and fail boundaries.</summary>
public sealed class ExpectationChecksTests
{
    private static ValidationReport Check(DatasetProfile current, string expectationsJson) =>
        DatasetValidator.Validate(current, new ValidationRules { Expectations = DatasetExpectations.FromJson(expectationsJson) });

    [Theory]
    [InlineData(1000, true)]
    [InlineData(999, false)]
    public void Min_rows(long rows, bool passes)
    {
        var report = Check(Dataset(Numeric("a", 0, 1, count: rows)), """{"minRows": 1000}""");
        Assert.Equal(passes, report.Passed);
        if (!passes)
        {
            Assert.Equal(new Anomaly(null, "rows.min", ">= 1000 rows", "999 rows"), Assert.Single(report.Anomalies));
        }
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(11, false)]
    public void Max_rows(long rows, bool passes) =>
        Assert.Equal(passes, Check(Dataset(Numeric("a", 0, 1, count: rows)), """{"maxRows": 10}""").Passed);

    [Theory]
    [InlineData(0, 500, true)]
    [InlineData(-0.01, 500, false)]
    [InlineData(0, 500.01, false)]
    public void Declared_min_and_max(double min, double max, bool passes)
    {
        var report = Check(Dataset(Numeric("fare", min, max)), """{"columns": {"fare": {"min": 0, "max": 500}}}""");
        Assert.Equal(passes, report.Passed);
        if (!passes)
        {
            var anomaly = Assert.Single(report.Anomalies);
            Assert.Equal(min < 0 ? new Anomaly("fare", "range.min", ">= 0", "-0.01") : new Anomaly("fare", "range.max", "<= 500", "500.01"), anomaly);
        }
    }

    [Theory]
    [InlineData(0, 0, true)]
    [InlineData(1, 0, false)]
    [InlineData(5, 0.05, true)]
    [InlineData(6, 0.05, false)]
    public void Max_missing_is_a_share_of_rows(long missing, double maxMissing, bool passes)
    {
        var share = maxMissing.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var json = "{\"columns\": {\"a\": {\"maxMissing\": " + share + "}}}";
        Assert.Equal(passes, Check(Dataset(Numeric("a", 0, 1, count: 100 - missing, missing: missing)), json).Passed);
    }

    [Fact]
    public void Values_outside_the_declared_set_are_listed()
    {
        var current = Dataset(Categorical("pay", [("CRD", 90), ("CSH", 7), ("NOC", 2), ("DIS", 1)]));
        var anomaly = Assert.Single(Check(current, """{"columns": {"pay": {"values": ["CRD", "CSH"]}}}""").Anomalies);

        Assert.Equal(new Anomaly("pay", "values.allowed", "values in [CRD, CSH]", "3% outside: 'NOC' x2, 'DIS' x1"), anomaly);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void A_share_outside_the_declared_values_can_be_tolerated(long outside, bool passes)
    {
        var current = Dataset(Categorical("pay", [("CRD", 100 - outside), ("NOC", outside)]));
        Assert.Equal(passes, Check(current, """{"columns": {"pay": {"values": ["CRD"], "maxUnseenShare": 0.01}}}""").Passed);
    }

    [Fact]
    public void Values_the_profile_could_not_list_count_as_outside()
    {
        var current = Dataset(Categorical("pay", [("CRD", 95)], other: 5));
        var report = Check(current, """{"columns": {"pay": {"values": ["CRD"]}}}""");

        Assert.Equal("5% outside: 5 unlisted", Assert.Single(report.Anomalies).Actual);
        Assert.Single(report.Notes);
    }

    [Fact]
    public void A_declared_column_that_is_absent_is_an_anomaly()
    {
        var anomaly = Assert.Single(Check(Dataset(Numeric("a", 0, 1)), """{"columns": {"b": {}}}""").Anomalies);
        Assert.Equal(new Anomaly("b", "schema.missingColumn", "present (declared in the expectations)", "absent"), anomaly);
    }

    [Theory]
    [InlineData("""{"kind": "categorical"}""", "categorical")]
    [InlineData("""{"values": ["x"]}""", "categorical (values are declared)")]
    public void A_numeric_column_declared_categorical_is_an_anomaly(string expectation, string expected)
    {
        var anomaly = Assert.Single(Check(Dataset(Numeric("a", 0, 1)), $$$"""{"columns": {"a": {{{expectation}}}}}""").Anomalies);
        Assert.Equal(new Anomaly("a", "schema.kind", expected, "numeric"), anomaly);
    }

    [Fact]
    public void A_categorical_column_with_declared_bounds_is_an_anomaly()
    {
        var anomaly = Assert.Single(Check(Dataset(Categorical("a", [("x", 10)])), """{"columns": {"a": {"min": 0}}}""").Anomalies);
        Assert.Equal(new Anomaly("a", "schema.kind", "numeric (min/max are declared)", "categorical"), anomaly);
    }

    [Fact]
    public void Reference_and_expectations_are_checked_together()
    {
        var reference = Dataset(Numeric("fare", 0, 100));
        var current = Dataset(Numeric("fare", -1, 100, count: 10));
        var report = DatasetValidator.Validate(current, new ValidationRules
        {
            Reference = reference,
            Expectations = DatasetExpectations.FromJson("""{"minRows": 100, "columns": {"fare": {"min": 0}}}"""),
        });

        Assert.Equal(["rows.min", "range.min"], report.Anomalies.Select(anomaly => anomaly.Check));
        Assert.Equal(2, report.Anomalies.Count);
    }

    [Fact]
    public void The_issue_s_example_parses()
    {
        var expectations = DatasetExpectations.FromJson("""
            {"columns": {"fare_amount": {"min": 0, "max": 500, "maxMissing": 0}, "payment_type": {"values": ["CRD","CSH"]}}, "minRows": 1000}
            """);

        Assert.Equal(1000, expectations.MinRows);
        Assert.Null(expectations.MaxRows);
        Assert.Equal(new ColumnExpectation(Min: 0, Max: 500, MaxMissing: 0), expectations.Columns["fare_amount"]);
        Assert.Equal(["CRD", "CSH"], expectations.Columns["payment_type"].Values!);
    }

    [Theory]
    [InlineData("""{"minRow": 1}""", "unknown key expectations.minRow")]
    [InlineData("""{"columns": {"fare": {"mn": 0}}}""", "unknown key columns.fare.mn")]
    [InlineData("""{"columns": {"fare": {"min": "0"}}}""", "columns.fare.min must be a number")]
    [InlineData("""{"columns": {"fare": {"min": 5, "max": 1}}}""", "columns.fare.min (5) is above columns.fare.max (1)")]
    [InlineData("""{"columns": {"fare": {"maxMissing": 5}}}""", "must be within 0..1")]
    [InlineData("""{"columns": {"pay": {"values": "CRD"}}}""", "columns.pay.values must be an array of strings")]
    [InlineData("""{"columns": {"pay": {"kind": "text"}}}""", "columns.pay.kind must be")]
    [InlineData("""{"minRows": -1}""", "minRows must be a whole number")]
    [InlineData("""{"columns": []}""", "columns must be an object")]
    [InlineData("""[1]""", "expectations must be an object")]
    [InlineData("""{"minRows": }""", "expectations JSON is invalid")]
    public void Bad_expectations_say_which_key_is_wrong(string json, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => DatasetExpectations.FromJson(json)).Message, StringComparison.Ordinal);

    [Fact]
    public void Comments_and_trailing_commas_are_accepted() =>
        Assert.Equal(5, DatasetExpectations.FromJson("{ // rows\n \"minRows\": 5, }").MinRows);
}
