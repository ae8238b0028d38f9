using Orchestrator.ML.Data;
using Orchestrator.ML.Models;
using Orchestrator.ML.Monitoring;

namespace Orchestrator.ML.Tests.Monitoring;

public sealed class PerformanceBucketsTests
{
    private static readonly ModelSignature Regression = new(MlTask.Regression, "y", [new DatasetColumn("x", ColumnKind.Numeric)]);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Theory]
    [InlineData("2026-11-25T10:00:00+00:00", "1h", "2026-11-25T10:00:00+00:00")]
    [InlineData("2026-11-25T10:59:59.999+00:00", "1h", "2026-11-25T10:00:00+00:00")]
    [InlineData("2026-11-25T12:30:00+02:00", "1h", "2026-11-25T10:00:00+00:00")] // aligned in UTC, not local time
    [InlineData("2026-11-25T10:44:00+00:00", "15m", "2026-11-25T10:30:00+00:00")]
    [InlineData("2026-11-25T23:10:00+00:00", "1d", "2026-11-25T00:00:00+00:00")]
    [InlineData("1969-12-31T23:30:00+00:00", "1h", "1969-12-31T23:00:00+00:00")] // floor before the epoch
    public void BucketStart_IsAlignedToTheBucketSize_InUtc(string at, string size, string start)
    {
        var span = size switch { "1h" => Hour, "15m" => TimeSpan.FromMinutes(15), _ => TimeSpan.FromDays(1) };
        var actual = PerformanceBuckets.StartOf(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), span);

        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), actual);
        Assert.Equal(TimeSpan.Zero, actual.Offset);
    }

    [Fact]
    public void BucketStart_RefusesAZeroSize()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PerformanceBuckets.StartOf(Rows.T0, TimeSpan.Zero));
    }

    [Fact]
    public void Rows_AreGroupedPerVersionAndBucket_OrderedByStartThenVersion_GapsLeftOut()
    {
        var t = Rows.T0; // 10:00
        var rows = new[]
        {
            Rows.Row("1", "2", version: 2, at: t.AddMinutes(10)),   // v2 10:00: error 1
            Rows.Row("5", "5", version: 1, at: t.AddMinutes(20)),   // v1 10:00: errors 0, 2
            Rows.Row("1", "3", version: 1, at: t.AddMinutes(59)),
            Rows.Row("4", "8", version: 1, at: t.AddHours(3)),      // v1 13:00: error 4 (11:00 and 12:00 are empty)
            Rows.Row("x", "8", version: 1, at: t.AddHours(3).AddMinutes(1)),
        };

        var buckets = PerformanceBuckets.Compute(rows, _ => Regression, Hour);

        Assert.Equal([(1, t), (2, t), (1, t.AddHours(3))], buckets.Select(b => (b.Version, b.Start)));
        Assert.Equal([(2, 0), (1, 0), (1, 1)], buckets.Select(b => (b.Count, b.Invalid)));
        Assert.Equal([1.0, 1.0, 4.0], buckets.Select(b => b.Metrics["mae"]!.Value));
        Assert.Null(buckets[1].Metrics["r2"]); // one row
        Assert.Equal(1 - (4.0 / 2), buckets[0].Metrics["r2"]!.Value, 12); // labels 5, 3: total 2; residuals 0 + 4
    }

    [Fact]
    public void NoRows_NoBuckets()
    {
        Assert.Empty(PerformanceBuckets.Compute([], _ => Regression, Hour));
    }

    [Fact]
    public void RowsOfAVersionWithoutSignature_AreInvalid()
    {
        var buckets = PerformanceBuckets.Compute([Rows.Row("1", "1", version: 7), Rows.Row("1", "2", version: 7)], _ => null, Hour);

        var only = Assert.Single(buckets);
        Assert.Equal((7, 0, 2), (only.Version, only.Count, only.Invalid));
        Assert.Empty(only.Metrics);
    }
}
