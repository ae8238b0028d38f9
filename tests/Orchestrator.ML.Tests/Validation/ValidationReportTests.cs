using System.Text.Json;
using Orchestrator.ML.Data;
using Orchestrator.ML.Tests.Data;
using Orchestrator.ML.Validation;

namespace Orchestrator.ML.Tests.Validation;

public sealed class ValidationReportTests
{
    private static readonly ValidationReport Failed = new(
        1000,
        3,
        [
            new Anomaly("fare_amount", "range.max", "<= 550", "612.5"),
            new Anomaly(null, "rows.min", ">= 2000 rows", "1000 rows"),
        ],
        ["zone: unseen-value check skipped"]);

    [Fact]
    public void Text_is_a_heading_an_aligned_table_and_notes()
    {
        Assert.Equal(
            """
            Validation failed: 2 anomalies (1000 rows, 3 columns)
              COLUMN       CHECK      EXPECTED      ACTUAL
              fare_amount  range.max  <= 550        612.5
              (dataset)    rows.min   >= 2000 rows  1000 rows
            Notes:
              - zone: unseen-value check skipped

            """.ReplaceLineEndings("\n"),
            Failed.ToText());
    }

    [Fact]
    public void A_clean_report_says_so_in_one_line() =>
        Assert.Equal("Validation passed: no anomalies (5 rows, 2 columns)\n", new ValidationReport(5, 2, [], []).ToText());

    [Fact]
    public void Json_carries_every_field()
    {
        Assert.Equal(
            """{"passed":false,"rows":1000,"columns":3,"anomalies":[{"column":"fare_amount","check":"range.max","expected":"\u003C= 550","actual":"612.5"},{"column":null,"check":"rows.min","expected":"\u003E= 2000 rows","actual":"1000 rows"}],"notes":["zone: unseen-value check skipped"]}""",
            Failed.ToJson());
        using var document = JsonDocument.Parse(Failed.ToJson());
        Assert.False(document.RootElement.GetProperty("passed").GetBoolean());
    }

    /// <summary>End to end on real data: two samples of the taxi data agree; a broken copy of the second does not.</summary>
    [Fact]
    public async Task Taxi_samples_validate_against_each_other_and_a_broken_file_fails()
    {
        var lines = File.ReadLines(TempCsv.RepoFile("dags/data/taxi-fare/taxi-fare-train.csv")).Take(4001).ToList();
        using var reference = TempCsv.Text(string.Join('\n', lines.Take(2001)) + "\n");
        using var current = TempCsv.Text(string.Join('\n', lines.Take(1).Concat(lines.Skip(2001))) + "\n");
        var broken = lines.Take(1).Concat(lines.Skip(2001)).Select((line, i) => i == 5 ? line.Replace(",CRD,", ",BITCOIN,", StringComparison.Ordinal) + "0000" : line);
        using var brokenCsv = TempCsv.Text(string.Join('\n', broken) + "\n");

        var options = new IngestOptions();
        var referenceProfile = (await DatasetIngestor.IngestAsync(reference.Path, options, CancellationToken.None)).Profile;
        var rules = new ValidationRules
        {
            Reference = referenceProfile,
            Tolerances = new ReferenceTolerances(Range: 1),
            Expectations = DatasetExpectations.FromJson("""{"minRows": 2000, "columns": {"fare_amount": {"min": 0, "max": 1000}}}"""),
        };

        var good = DatasetValidator.Validate((await DatasetIngestor.IngestAsync(current.Path, options, CancellationToken.None)).Profile, rules);
        Assert.True(good.Passed, good.ToText());

        var bad = DatasetValidator.Validate((await DatasetIngestor.IngestAsync(brokenCsv.Path, options, CancellationToken.None)).Profile, rules);
        Assert.False(bad.Passed);
        Assert.Contains(bad.Anomalies, anomaly => anomaly is { Column: "fare_amount", Check: "range.max" });
        Assert.Contains("fare_amount", bad.ToText(), StringComparison.Ordinal);
    }
}
