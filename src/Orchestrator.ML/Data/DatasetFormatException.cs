namespace Orchestrator.ML.Data;

/// <summary>A CSV file that cannot be ingested, with where: the file, the 1-based line (as an editor counts it; for a
/// row spanning lines, the line it starts on) and the column name when one is concerned.</summary>
public sealed class DatasetFormatException : Exception
{
    public DatasetFormatException(string path, long? line, string? column, string problem)
        : base(Describe(path, line, column, problem))
    {
        Path = path;
        Line = line;
        Column = column;
        Problem = problem;
    }

    public DatasetFormatException()
        : this(string.Empty, null, null, "invalid dataset")
    {
    }

    public DatasetFormatException(string message)
        : this(string.Empty, null, null, message)
    {
    }

    public DatasetFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
        Problem = message;
    }

    public string Path { get; }

    public long? Line { get; }

    public string? Column { get; }

    /// <summary>The problem alone, without the location.</summary>
    public string Problem { get; }

    private static string Describe(string path, long? line, string? column, string problem)
    {
        var where = path;
        if (line is not null)
        {
            where += $", line {line}";
        }

        if (column is not null)
        {
            where += $", column '{column}'";
        }

        return $"{where}: {problem}";
    }
}
