using System.Buffers;
using System.Text;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;
using Orchestrator.Serving.Payloads;

namespace Orchestrator.Serving.Tests.Payloads;

public sealed class JsonPayloadParserTests
{
    private static readonly InputBinding Binding = new(new ModelSignature(MlTask.Regression, "y",
    [
        new DatasetColumn("a", ColumnKind.Numeric),
        new DatasetColumn("colour", ColumnKind.Categorical),
        new DatasetColumn("b", ColumnKind.Numeric),
    ]));

    internal static List<ModelRow> Parse(string json, int maxRows = 100) =>
        JsonPayloadParser.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), Binding, maxRows);

    /// <summary>The same body split into one-byte segments, as a slow upload arrives in the pipe.</summary>
    private static List<ModelRow> ParseSegmented(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Segment? first = null, last = null;
        foreach (var b in bytes)
        {
            var segment = new Segment(new[] { b }, last);
            first ??= segment;
            last = segment;
        }

        return JsonPayloadParser.Parse(new ReadOnlySequence<byte>(first!, 0, last!, 1), Binding, 100);
    }

    private static ServingException Fails(string json, int maxRows = 100) => Assert.Throws<ServingException>(() => Parse(json, maxRows));

    private static void AssertRows(List<ModelRow> rows)
    {
        Assert.Equal(2, rows.Count);
        Assert.Equal([1f, 2f], rows[0].Numeric);
        Assert.Equal("red", Assert.Single(rows[0].Categorical));
        Assert.Equal([3.5f, -4f], rows[1].Numeric);
        Assert.Equal("blue", Assert.Single(rows[1].Categorical));
    }

    [Fact]
    public void Dataframe_split_maps_columns_by_name_in_any_order()
    {
        AssertRows(Parse("""{"dataframe_split": {"columns": ["b", "colour", "a"], "data": [[2, "red", 1], [-4, "blue", 3.5]]}}"""));
    }

    [Fact]
    public void Dataframe_split_accepts_data_before_columns_and_ignores_index()
    {
        AssertRows(Parse("""{"dataframe_split": {"index": [7, 8], "data": [[1, "red", 2], [3.5, "blue", -4]], "columns": ["a", "colour", "b"]}}"""));
    }

    [Fact]
    public void Dataframe_records_instances_and_inputs_lists_take_objects()
    {
        const string rows = """[{"a": 1, "colour": "red", "b": 2}, {"b": -4, "a": 3.5, "colour": "blue"}]""";
        AssertRows(Parse($$"""{"dataframe_records": {{rows}}}"""));
        AssertRows(Parse($$"""{"instances": {{rows}}}"""));
        AssertRows(Parse($$"""{"inputs": {{rows}}}"""));
    }

    [Fact]
    public void Inputs_as_columns_take_one_list_per_column()
    {
        AssertRows(Parse("""{"inputs": {"colour": ["red", "blue"], "a": [1, 3.5], "b": [2, -4]}}"""));
    }

    [Fact]
    public void A_body_split_into_single_bytes_parses_the_same()
    {
        AssertRows(ParseSegmented("""{"dataframe_split": {"data": [[1, "red", 2], [3.5, "blue", -4]], "columns": ["a", "colour", "b"]}}"""));
        AssertRows(ParseSegmented("""{"inputs": {"colour": ["red", "blue"], "a": [1, 3.5], "b": [2, -4]}}"""));
    }

    [Fact]
    public void Undeclared_columns_are_ignored_whatever_their_values()
    {
        AssertRows(Parse("""{"dataframe_split": {"columns": ["a", "extra", "colour", "b"], "data": [[1, {"x": [1]}, "red", 2], [3.5, null, "blue", -4]]}}"""));
        AssertRows(Parse("""{"dataframe_records": [{"a": 1, "colour": "red", "b": 2, "extra": "x"}, {"extra": [1, 2], "b": -4, "a": 3.5, "colour": "blue"}]}"""));
        AssertRows(Parse("""{"inputs": {"colour": ["red", "blue"], "a": [1, 3.5], "b": [2, -4], "extra": [1, 2, 3]}}"""));
    }

    [Fact]
    public void Params_are_accepted_and_ignored()
    {
        AssertRows(Parse("""{"params": {"k": 1}, "dataframe_records": [{"a": 1, "colour": "red", "b": 2}, {"b": -4, "a": 3.5, "colour": "blue"}]}"""));
    }

    [Fact]
    public void Null_is_a_missing_value_nan_for_numbers_null_for_categories()
    {
        var rows = Parse("""{"dataframe_records": [{"a": null, "colour": null, "b": 2}]}""");
        Assert.True(float.IsNaN(rows[0].Numeric[0]));
        Assert.Null(rows[0].Categorical[0]);
    }

    [Fact]
    public void Numbers_and_booleans_in_a_categorical_column_keep_their_json_text()
    {
        var rows = Parse("""{"dataframe_records": [{"a": 1, "colour": 12, "b": 2}, {"a": 1, "colour": true, "b": 2}, {"a": 1, "colour": "x\u00e9", "b": 2}]}""");
        Assert.Equal("12", Assert.Single(rows[0].Categorical));
        Assert.Equal("true", Assert.Single(rows[1].Categorical));
        Assert.Equal("x\u00e9", Assert.Single(rows[2].Categorical));
    }

    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.0", "1")]
    [InlineData("1e0", "1")]
    [InlineData("1E+0", "1")]
    [InlineData("100e-2", "1")]
    [InlineData("1.5e1", "15")]
    [InlineData("-3.00", "-3")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("0e5", "0")]
    [InlineData("2.50", "2.5")]
    [InlineData("25e-2", "0.25")]
    [InlineData("0.1", "0.1")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("12345678901234567890123", "12345678901234567890123")]
    [InlineData("1e-40", "1E-40")]
    [InlineData("1e40", "1E+40")]
    public void A_number_for_a_categorical_column_becomes_the_text_a_csv_would_hold(string json, string category)
    {
        var rows = Parse($$"""{"dataframe_records": [{"a": 1, "colour": {{json}}, "b": 2}]}""");
        Assert.Equal(category, Assert.Single(rows[0].Categorical));
    }

    [Fact]
    public void A_string_for_a_categorical_column_is_kept_as_sent()
    {
        var rows = Parse("""{"inputs": {"a": [1, 1], "colour": ["1.0", "1e0"], "b": [2, 2]}}""");
        Assert.Equal("1.0", Assert.Single(rows[0].Categorical));
        Assert.Equal("1e0", Assert.Single(rows[1].Categorical));
    }

    [Fact]
    public void An_escaped_property_name_is_still_found()
    {
        var rows = Parse("""{"dataframe_records": [{"\u0061": 5, "colour": "red", "b": 2}]}""");
        Assert.Equal(5f, rows[0].Numeric[0]);
    }

    [Fact]
    public void An_empty_list_gives_no_rows()
    {
        Assert.Empty(Parse("""{"dataframe_records": []}"""));
        Assert.Empty(Parse("""{"dataframe_split": {"columns": ["a", "colour", "b"], "data": []}}"""));
    }

    [Theory]
    [InlineData("""{"dataframe_split": {"columns": ["a", "colour"], "data": [[1, "red"]]}}""", "'b'")]
    [InlineData("""{"dataframe_records": [{"a": 1, "colour": "red", "b": 2}, {"a": 1, "colour": "red"}]}""", "Row 1")]
    [InlineData("""{"instances": [{"a": 1, "b": 2}]}""", "'colour'")]
    [InlineData("""{"inputs": {"a": [1], "b": [2]}}""", "'colour'")]
    public void A_missing_column_is_named(string json, string named)
    {
        var error = Fails(json);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("BAD_REQUEST", error.ErrorCode);
        Assert.Contains("missing column", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"dataframe_split": {"columns": ["a", "colour", "b"], "data": [[1, "red", 2], [1, "red", "abc"]]}}""", "'b'", "row 1", "the string \"abc\"")]
    [InlineData("""{"dataframe_records": [{"a": true, "colour": "red", "b": 2}]}""", "'a'", "row 0", "true")]
    [InlineData("""{"instances": [{"a": 1, "colour": "red", "b": [2]}]}""", "'b'", "row 0", "a list")]
    [InlineData("""{"inputs": {"a": [1, 2], "colour": ["red", {"x": 1}], "b": [2, 3]}}""", "'colour'", "row 1", "an object")]
    [InlineData("""{"dataframe_records": [{"a": 1e39, "colour": "red", "b": 2}]}""", "'a'", "row 0", "32-bit float")]
    public void A_mistyped_value_names_column_row_and_value(string json, string column, string row, string value)
    {
        var error = Fails(json);
        Assert.Equal("BAD_REQUEST", error.ErrorCode);
        Assert.Contains(column, error.Message, StringComparison.Ordinal);
        Assert.Contains(row, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"dataframe_records\": [{\"a\": 1,}]}", "line 1, byte 32")]
    [InlineData("{\n  \"instances\": [\n    {\"a\": 1 \"b\": 2}\n  ]\n}", "line 3, byte 13")]
    [InlineData("{\"inputs\": [", "line 1")]
    [InlineData("{\"inputs\": []} x", "line 1, byte 16")]
    [InlineData("", "does not contain any JSON tokens")]
    public void Malformed_json_names_the_position(string json, string position)
    {
        var error = Fails(json);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("MALFORMED_REQUEST", error.ErrorCode);
        Assert.Contains(position, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"a": 1}]""", "Expected a JSON object")]
    [InlineData("""{"rows": []}""", "Unknown field 'rows'")]
    [InlineData("""{"params": {}}""", "none of")]
    [InlineData("""{"instances": [], "inputs": []}""", "both 'instances' and 'inputs'")]
    [InlineData("""{"dataframe_split": {"data": [[1, "red", 2]]}}""", "no 'columns'")]
    [InlineData("""{"dataframe_split": {"columns": ["a", "colour", "b"]}}""", "no 'data'")]
    [InlineData("""{"dataframe_split": {"columns": ["a", "a", "colour", "b"], "data": []}}""", "twice")]
    [InlineData("""{"dataframe_split": {"columns": ["a", "colour", "b"], "data": [[1, "red"]]}}""", "Row 0 of 'dataframe_split.data' has 2 values")]
    [InlineData("""{"dataframe_split": {"columns": ["a", "colour", "b"], "data": [[1, "red", 2, 3]]}}""", "more values than the 3 columns")]
    [InlineData("""{"dataframe_split": {"columns": ["a", "colour", "b"], "data": [{"a": 1}]}}""", "'dataframe_split.data[0]' must be a list")]
    [InlineData("""{"dataframe_records": {"a": [1]}}""", "'dataframe_records' must be a list")]
    [InlineData("""{"instances": [[1, "red", 2]]}""", "'instances[0]' must be an object")]
    [InlineData("""{"inputs": {"a": 1, "colour": ["red"], "b": [2]}}""", "'inputs.a' must be a list")]
    [InlineData("""{"inputs": {"a": [1, 2], "colour": ["red"], "b": [2, 3]}}""", "'inputs.colour' has 1 values")]
    public void A_wrongly_shaped_payload_says_what_is_expected(string json, string message)
    {
        var error = Fails(json);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"dataframe_records": [{"a": 1, "colour": "red", "b": 2}, {"a": 1, "colour": "red", "b": 2}, {"a": 1, "colour": "red", "b": 2}]}""")]
    [InlineData("""{"dataframe_split": {"columns": ["a", "colour", "b"], "data": [[1, "red", 2], [1, "red", 2], [1, "red", 2]]}}""")]
    [InlineData("""{"inputs": {"a": [1, 2, 3], "colour": ["r", "g", "b"], "b": [1, 2, 3]}}""")]
    public void More_rows_than_the_limit_is_413(string json)
    {
        Assert.Equal(3, Parse(json, maxRows: 3).Count);
        var error = Fails(json, maxRows: 2);
        Assert.Equal(413, error.StatusCode);
        Assert.Equal("REQUEST_LIMIT_EXCEEDED", error.ErrorCode);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes, Segment? previous)
        {
            Memory = bytes;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
