using Orchestrator.ML.Data;
using static Orchestrator.ML.Tests.Data.IngestTestSupport;

namespace Orchestrator.ML.Tests.Data;

/// <summary>Each malformed file fails with the file, line and column named.</summary>
public sealed class BadFileTests
{
    [Fact]
    public async Task A_row_with_too_few_fields_names_its_line_and_first_missing_column()
    {
        var error = await IngestFails("a,b,c\n1,2,3\n4,5\n");
        Assert.Equal(3, error.Line);
        Assert.Equal("c", error.Column);
        Assert.Contains("expected 3 fields as in the header, got 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_with_too_many_fields_names_its_line()
    {
        var error = await IngestFails("a,b\n1,2\n\n3,4,5\n");
        Assert.Equal(4, error.Line);
        Assert.Contains("got 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unclosed_quote_fails_on_the_line_it_opens()
    {
        var error = await IngestFails("a,b\n1,\"open\n2,3\n4,5\n");
        Assert.Equal(2, error.Line);
        Assert.Contains("quoted field is not closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ragged_row_spanning_lines_hints_at_a_missing_quote()
    {
        var error = await IngestFails("a,b,c\n1,\"x\ny\",2,3,4\n");
        Assert.Equal(2, error.Line);
        Assert.Contains("spans lines 2-3: is a closing quote missing?", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    public async Task An_empty_file_fails(string text)
    {
        var error = await IngestFails(text);
        Assert.Contains("the file is empty", error.Message, StringComparison.Ordinal);
        Assert.Null(error.Line);
    }

    [Fact]
    public async Task A_header_only_file_fails_unless_allowed()
    {
        var error = await IngestFails("a,b\n");
        Assert.Equal(1, error.Line);
        Assert.Contains("no data rows", error.Message, StringComparison.Ordinal);

        using var csv = TempCsv.Text("a,b\n");
        var result = await Ingest(csv, new IngestOptions { AllowEmpty = true });
        Assert.Equal(0, result.Rows);
        Assert.Equal(["a", "b"], result.Schema.Columns.Select(column => column.Name));
    }

    [Fact]
    public async Task A_duplicate_header_name_fails_naming_both_positions()
    {
        var error = await IngestFails("a,b,a\n1,2,3\n");
        Assert.Equal(1, error.Line);
        Assert.Equal("a", error.Column);
        Assert.Contains("header fields 1 and 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_header_name_fails()
    {
        var error = await IngestFails("a,,c\n1,2,3\n");
        Assert.Contains("header field 2 is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_declared_column_absent_from_the_header_fails()
    {
        var error = await IngestFails("a,b\n1,2\n", new IngestOptions { Categorical = ["c"] });
        Assert.Equal("c", error.Column);
        Assert.Contains("not in the header (a, b)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_fails_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "absent.csv");
        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => DatasetIngestor.IngestAsync(path, new IngestOptions(), CancellationToken.None));
        Assert.Equal(path, error.Path);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conflicting_declarations_are_an_argument_error()
    {
        using var csv = TempCsv.Text("a\n1\n");
        var options = new IngestOptions { Schema = new DatasetSchema([new DatasetColumn("a", ColumnKind.Numeric)]), Categorical = ["a"] };
        await Assert.ThrowsAsync<ArgumentException>(() => Ingest(csv, options));
    }

    [Theory]
    [InlineData(null, ',')]
    [InlineData("", ',')]
    [InlineData(";", ';')]
    [InlineData("\t", '\t')]
    [InlineData("\\t", '\t')]
    [InlineData("tab", '\t')]
    [InlineData("|", '|')]
    public void Separator_args_that_are_accepted(string? arg, char expected) =>
        Assert.Equal(expected, CsvSeparator.Parse(arg));

    [Theory]
    [InlineData(",,")]
    [InlineData("\"")]
    [InlineData("a")]
    [InlineData("7")]
    [InlineData(".")]
    [InlineData("\n")]
    [InlineData("é")]
    public void Separator_args_that_are_refused_say_what_is_expected(string arg)
    {
        var error = Assert.Throws<ArgumentException>(() => CsvSeparator.Parse(arg));
        Assert.Contains("expected one character such as", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_separator_in_options_fails_before_reading()
    {
        using var csv = TempCsv.Text("a\n1\n");
        await Assert.ThrowsAsync<ArgumentException>(() => Ingest(csv, new IngestOptions { Format = new CsvFormat('"') }));
    }
}
