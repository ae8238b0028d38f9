namespace Orchestrator.ML.Data;

/// <summary>How <see cref="DatasetIngestor"/> reads and profiles a CSV file.</summary>
/// <remarks>
/// Missing values: an empty field (after trimming spaces) and, by default, the texts in
/// <see cref="DefaultMissingTokens"/> (exact case). A field is a number when it parses as a finite double in the
/// invariant culture ("1e3", "-0.5", "+5", ".5"); "inf" or "Infinity" are text. Blank lines are skipped. Spaces around a
/// field, and around a quoted field's quotes, are trimmed.
/// </remarks>
public sealed record IngestOptions
{
    /// <summary>"NA", "N/A", "null", "NULL", "NaN", "nan": the usual spellings of "no value" in exported data.</summary>
    public static IReadOnlyList<string> DefaultMissingTokens { get; } = ["NA", "N/A", "null", "NULL", "NaN", "nan"];

    public CsvFormat Format { get; init; } = new();

    /// <summary>Declared kinds. Columns it names must exist; columns it leaves out are inferred. A declared numeric
    /// column holding text fails the ingest.</summary>
    public DatasetSchema? Schema { get; init; }

    /// <summary>Columns to treat as categorical whatever their values (the <c>categorical</c> arg).</summary>
    public IReadOnlyList<string> Categorical { get; init; } = [];

    public IReadOnlyList<string> MissingTokens { get; init; } = DefaultMissingTokens;

    /// <summary>Accept a file with a header and no data rows (a zero-row dataset). Off by default: an empty extract
    /// is usually an upstream failure, and training on it would fail later with a vaguer error.</summary>
    public bool AllowEmpty { get; init; }

    /// <summary>How many of a categorical column's most frequent values the profile lists.</summary>
    public int TopValues { get; init; } = 100;

    /// <summary>Distinct values counted exactly per categorical column; beyond it counts become lower bounds and the
    /// distinct count is reported as "at least".</summary>
    public int DistinctLimit { get; init; } = 10_000;

    /// <summary>A numeric column with at most this many distinct values gets exact quantiles and histogram; above it a
    /// t-digest is used.</summary>
    public int ExactNumericLimit { get; init; } = 1_024;

    public int HistogramBins { get; init; } = 20;

    /// <summary>t-digest compression: larger is more accurate and uses more memory (about 2× this many centroids).</summary>
    public double Compression { get; init; } = 200;

    /// <summary>Bytes read from the file at a time (tests vary it to show the digest does not depend on it).</summary>
    public int ReadBufferBytes { get; init; } = 64 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(TopValues, 1, nameof(TopValues));
        ArgumentOutOfRangeException.ThrowIfLessThan(DistinctLimit, 1, nameof(DistinctLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(ExactNumericLimit, 1, nameof(ExactNumericLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(HistogramBins, 1, nameof(HistogramBins));
        ArgumentOutOfRangeException.ThrowIfLessThan(Compression, 20, nameof(Compression));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadBufferBytes, 1, nameof(ReadBufferBytes));
        CsvSeparator.Validate(Format.Separator);
    }
}

/// <summary>The outcome of an ingest: the version's address (lower-case hex SHA-256 of the file's bytes), its size,
/// data rows (header and blank lines excluded), schema and profile.</summary>
public sealed record IngestResult(string Digest, long SizeBytes, long Rows, DatasetSchema Schema, DatasetProfile Profile);
