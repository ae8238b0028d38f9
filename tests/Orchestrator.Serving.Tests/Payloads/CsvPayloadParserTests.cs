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

    [Theory]
    [InlineData("NA")]
    [InlineData("N/A")]
    [InlineData("null")]
    [InlineData("NULL")]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData(" NA ")]
    [InlineData("  ")]
    public void Ingest_missing_tokens_in_a_numeric_column_are_missing(string token)
    {
        var rows = Parse($"a,colour,b\n{token},red,2\n");
        Assert.True(float.IsNaN(rows[0].Numeric[0]));
        Assert.Equal(2f, rows[0].Numeric[1]);
    }

    [Theory]
    [InlineData("na")]
    [InlineData("Null")]
    [InlineData("Infinity")]
    [InlineData("NA1")]
    public void Other_text_in_a_numeric_column_is_refused_listing_the_missing_marks(string text)
    {
        var error = Assert.Throws<ServingException>(() => Parse($"a,colour,b\n{text},red,2\n"));
        Assert.Contains($"\"{text}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("NA, N/A, null, NULL, NaN, nan", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_token_in_a_categorical_column_stays_its_text()
    {
        // Training read the categorical cell "NA" as the category "NA": serving must match it, not make it empty.
        Assert.Equal("NA", Assert.Single(Parse("a,colour,b\n1,NA,2\n")[0].Categorical));
    }

    [Fact]
    public void Blank_lines_are_skipped_and_lines_still_counted()
    {
        var rows = Parse("\na,colour,b\n\n1,red,2\r\n\r\n3.5,blue,-4\n\n");
        Assert.Equal(2, rows.Count);
        Assert.Equal([3.5f, -4f], rows[1].Numeric);

        var error = Assert.Throws<ServingException>(() => Parse("a,colour,b\n\n1,red,2\n\n1,red,abc\n"));
        Assert.Contains("line 5", error.Message, StringComparison.Ordinal);
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
