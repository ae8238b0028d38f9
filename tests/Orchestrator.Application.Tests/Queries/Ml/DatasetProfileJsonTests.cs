using Orchestrator.Application.Queries.Ml;

namespace Orchestrator.Application.Tests.Queries.Ml;

/// <summary>The profile JSON <c>ml.ingest</c> writes, read into the answer's shape (the Web tests read one the real
/// ingestor wrote).</summary>
public sealed class DatasetProfileJsonTests
{
    private const string Profile = """
        {"rows":5,"columns":[
          {"name":"fare","kind":"numeric","count":4,"missing":1,"numeric":{"min":1,"max":9,"mean":4,"std":3.5,
            "quantiles":{"p1":1,"p5":1,"p25":2,"p50":3,"p75":6,"p95":9,"p99":9},"histogram":{"edges":[1,5,9],"counts":[3,1]},
            "exact":true,"distinct":4,"distinctIsLowerBound":false}},
          {"name":"pay","kind":"categorical","count":5,"missing":0,"categorical":{"distinct":3,"distinctIsLowerBound":false,
            "top":[{"value":"card","count":3},{"value":"cash","count":1}],"otherCount":1,"countsAreApproximate":false}},
          {"name":"empty","kind":"numeric","count":0,"missing":5}
        ]}
        """;

    [Fact]
    public void NumericColumns_CarryHistogramAndQuantiles_CategoricalOnesTopValues()
    {
        var profile = DatasetProfileJson.Profile(Profile);
        Assert.Equal(5, profile.Rows);
        var fare = profile.Columns[0];
        Assert.Equal(("fare", "numeric", 4L, 1L, 4L, true), (fare.Name, fare.Kind, fare.Count, fare.Missing, fare.Distinct, fare.Exact));
        Assert.Equal((1.0, 9.0, 4.0, 3.5), (fare.Min, fare.Max, fare.Mean, fare.Std));
        Assert.Equal(3, fare.Quantiles!["p50"]);
        Assert.Equal([1.0, 5, 9], fare.Histogram!.Edges);
        Assert.Equal([3L, 1], fare.Histogram.Counts);
        Assert.Null(fare.TopValues);

        var pay = profile.Columns[1];
        Assert.Equal([new TopValueView("card", 3), new TopValueView("cash", 1)], pay.TopValues);
        Assert.Equal((1L, 3L, true), (pay.OtherCount, pay.Distinct, pay.Exact));
        Assert.Null(pay.Histogram);

        var empty = profile.Columns[2];
        Assert.Equal((0L, 5L), (empty.Count, empty.Missing));
        Assert.Null(empty.Histogram);
        Assert.Null(empty.Min);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"rows":"many"}""")]
    public void AnythingElse_GivesAnEmptyProfile_RatherThanFailingThePage(string json) =>
        Assert.Equal((0L, 0), (DatasetProfileJson.Profile(json).Rows, DatasetProfileJson.Profile(json).Columns.Count));

    [Fact]
    public void Columns_ReadTheSchema()
    {
        Assert.Equal([new DatasetColumnView("fare", "numeric"), new DatasetColumnView("pay", "categorical")],
            DatasetProfileJson.Columns("""{"columns":[{"name":"fare","kind":"numeric"},{"name":"pay","kind":"categorical"}]}"""));
        Assert.Empty(DatasetProfileJson.Columns("{}"));
    }
}
