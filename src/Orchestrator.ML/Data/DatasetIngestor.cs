using System.Globalization;
using System.Text;
using nietras.SeparatedValues;
using Orchestrator.ML.Data.Ingest;
using Orchestrator.ML.Data.Profiling;

namespace Orchestrator.ML.Data;

/// <summary>Reads a CSV file once: parses it with Sep, hashes its bytes (the dataset version's address: same bytes,
/// same digest) and profiles every column in bounded memory, inferring or checking the schema on the way.</summary>
public static class DatasetIngestor
{
    private const int MaxShownValueLength = 40;

    /// <exception cref="DatasetFormatException">The file is missing, empty, header-only (unless
    /// <see cref="IngestOptions.AllowEmpty"/>), has an empty or duplicate header name, a row with the wrong number of
    /// fields, or text in a column declared numeric. The message names the file, line and column.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent (bad separator, unknown or conflicting
    /// declared columns are <see cref="DatasetFormatException"/>s since they depend on the header).</exception>
    public static async Task<IngestResult> IngestAsync(string path, IngestOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        await using var hashing = new HashingReadStream(Open(path));
        using var text = new StreamReader(hashing, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, options.ReadBufferBytes, leaveOpen: true);
        var sepOptions = new Sep(options.Format.Separator).Reader(reader => reader with
        {
            HasHeader = false, // the header is read here, to report empty or duplicate names precisely
            Unescape = true,
            Trim = SepTrim.All,
            DisableColCountCheck = true,
            CultureInfo = CultureInfo.InvariantCulture,
        });
        using var reader = await sepOptions.FromAsync(text, cancellationToken);

        var missingTokens = new MissingTokens(options.MissingTokens);
        ColumnProfiler[]? columns = null;
        var headerLine = 0;
        long rows = 0;
        var firstRow = true;
        while (await reader.MoveNextAsync(cancellationToken))
        {
            var row = reader.Current;
            // Sep numbers lines correctly from the second row on; the first row read is on line 1.
            var line = firstRow ? 1 : row.LineNumberFrom;
            firstRow = false;
            if (row.Span.IsEmpty)
            {
                continue;
            }

            if (columns is null)
            {
                headerLine = line;
                var names = options.Format.HasHeader ? ReadHeader(path, line, row) : GeneratedNames(row.ColCount);
                columns = CreateProfilers(path, line, names, options, missingTokens);
                if (options.Format.HasHeader)
                {
                    continue;
                }
            }

            if (row.ColCount != columns.Length)
            {
                throw Ragged(path, line, row, columns);
            }

            // Sep reads an unclosed quote as a field running to the end of the file; a row spanning lines with an odd
            // number of quotes is that case. (Checked before any field is unescaped in place.)
            if (row.LineNumberToExcl - row.LineNumberFrom > 1 && row.Span.Count('"') % 2 == 1)
            {
                throw new DatasetFormatException(path, line, null, "a quoted field is not closed (an odd number of quotes from here to the end of the file)");
            }

            for (var i = 0; i < columns.Length; i++)
            {
                if (columns[i].Add(row[i]) == FieldOutcome.NotANumber)
                {
                    throw new DatasetFormatException(path, line, columns[i].Name,
                        $"declared numeric but holds \"{Shorten(row[i].Span)}\", which is not a number");
                }
            }

            rows++;
            if ((rows & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        if (columns is null)
        {
            throw new DatasetFormatException(path, null, null, "the file is empty (no header row)");
        }

        if (rows == 0 && !options.AllowEmpty)
        {
            throw new DatasetFormatException(path, headerLine, null,
                "the file has a header but no data rows (allowEmpty accepts a zero-row dataset)");
        }

        var digest = await hashing.FinishAsync(cancellationToken);
        var profile = new DatasetProfile(rows, columns.Select(column => column.Finish()).ToList());
        return new IngestResult(digest, hashing.BytesRead, rows, profile.Schema(), profile);
    }

    private static FileStream Open(string path)
    {
        try
        {
            // No FileStream buffer: the StreamReader above reads in large chunks already.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DatasetFormatException(path, null, null, "the file does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            throw new DatasetFormatException(path, null, null, "the file cannot be read (permission denied or a folder)");
        }
    }

    private static string[] ReadHeader(string path, int line, SepReader.Row row)
    {
        var names = new string[row.ColCount];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            var name = row[i].ToString();
            if (name.Length == 0)
            {
                throw new DatasetFormatException(path, line, null,
                    $"header field {i + 1} is empty; every column needs a name");
            }

            if (!seen.TryAdd(name, i))
            {
                throw new DatasetFormatException(path, line, name,
                    $"duplicate column name (header fields {seen[name] + 1} and {i + 1})");
            }

            names[i] = name;
        }

        return names;
    }

    private static string[] GeneratedNames(int count) =>
        Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"column{i}")).ToArray();

    private static ColumnProfiler[] CreateProfilers(string path, int headerLine, string[] names, IngestOptions options, MissingTokens missingTokens)
    {
        var declared = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);
        foreach (var column in options.Schema?.Columns ?? [])
        {
            declared[column.Name] = column.Kind;
        }

        foreach (var name in options.Categorical)
        {
            if (declared.TryGetValue(name, out var kind) && kind == ColumnKind.Numeric)
            {
                throw new ArgumentException($"column '{name}' is declared numeric in the schema and listed as categorical", nameof(options));
            }

            declared[name] = ColumnKind.Categorical;
        }

        foreach (var name in declared.Keys.Where(name => !names.Contains(name, StringComparer.Ordinal)))
        {
            throw new DatasetFormatException(path, headerLine, name,
                $"declared in the schema or categorical list but not in the header ({string.Join(", ", names)})");
        }

        return names
            .Select(name => new ColumnProfiler(name, declared.TryGetValue(name, out var kind) ? kind : null, options, missingTokens))
            .ToArray();
    }

    private static DatasetFormatException Ragged(string path, int line, SepReader.Row row, ColumnProfiler[] columns)
    {
        var problem = $"expected {columns.Length} fields as in the header, got {row.ColCount}";
        string? column = null;
        if (row.ColCount < columns.Length)
        {
            column = columns[row.ColCount].Name;
            problem += $" (first missing column: '{column}')";
        }

        if (row.LineNumberToExcl - row.LineNumberFrom > 1 && row.Span.Contains('"'))
        {
            problem += $"; this row spans lines {line}-{row.LineNumberToExcl - 1}: is a closing quote missing?";
        }

        return new DatasetFormatException(path, line, column, problem);
    }

    private static string Shorten(ReadOnlySpan<char> value) =>
        value.Length <= MaxShownValueLength ? value.ToString() : string.Concat(value[..MaxShownValueLength], "…");
}
