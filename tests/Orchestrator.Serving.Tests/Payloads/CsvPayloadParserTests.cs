using System.Text;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;
using Orchestrator.Serving.Payloads;

namespace Orchestrator.Serving.Tests.Payloads;

public sealed class CsvPayloadParserTests
{
    private static readonly InputBinding Binding = new(new ModelSignature(MlTask.Regression, "y",
    [
        new DatasetColumn("a", ColumnKind.Numeric),
        new DatasetColumn("colour", ColumnKind.Categorical),
        new DatasetColumn("b", ColumnKind.Numeric),
    ]));

    private static List<ModelRow> Parse(string csv, int maxRows = 100)
    {
        var bytes = Encoding.UTF8.GetBytes(csv);
        return CsvPayloadParser.Parse(bytes, bytes.Length, Binding, maxRows);
    }

    [Fact]
    public void Columns_are_found_by_header_name_and_extra_columns_ignored()
    {
        var rows = Parse("extra,b,colour,a\nx,2,red,1\ny,-4,\"blue, dark\",3.5\n");
        Assert.Equal(2, rows.Count);
        Assert.Equal([1f, 2f], rows[0].Numeric);
        Assert.Equal("red", Assert.Single(rows[0].Categorical));
        Assert.Equal([3.5f, -4f], rows[1].Numeric);
        Assert.Equal("blue, dark", Assert.Single(rows[1].Categorical));
    }

    [Fact]
    public void An_empty_cell_is_a_missing_value()
    {
        var rows = Parse("a,colour,b\n,,2");
        Assert.True(float.IsNaN(rows[0].Numeric[0]));
        Assert.Null(rows[0].Categorical[0]);
    }

    [Fact]
    public void A_missing_column_is_named()
    {
        var error = Assert.Throws<ServingException>(() => Parse("a,colour\n1,red\n"));
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("missing column 'b'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a,colour,b,a\n1,red,2,3\n", "'a'")]
    [InlineData("a,colour,b,extra,extra\n1,red,2,x,y\n", "'extra'")]
    public void A_repeated_header_column_is_400_naming_it(string csv, string named)
    {
        var error = Assert.Throws<ServingException>(() => Parse(csv));
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("BAD_REQUEST", error.ErrorCode);
        Assert.Contains($"column {named} twice", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_in_a_numeric_column_names_column_and_line()
    {
        var error = Assert.Throws<ServingException>(() => Parse("a,colour,b\n1,red,2\n1,red,abc\n"));
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("Column 'b'", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"abc\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ragged_row_is_malformed()
    {
        var error = Assert.Throws<ServingException>(() => Parse("a,colour,b\n1,red,2\n1,red\n"));
        Assert.Equal("MALFORMED_REQUEST", error.ErrorCode);
        Assert.Contains("line 3 has 2 fields", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_body_says_a_header_is_expected()
    {
        var error = Assert.Throws<ServingException>(() => Parse(""));
        Assert.Contains("header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_rows_than_the_limit_is_413()
    {
        Assert.Equal(2, Parse("a,colour,b\n1,r,2\n1,r,2\n", maxRows: 2).Count);
        var error = Assert.Throws<ServingException>(() => Parse("a,colour,b\n1,r,2\n1,r,2\n1,r,2\n", maxRows: 2));
        Assert.Equal(413, error.StatusCode);
    }
}
