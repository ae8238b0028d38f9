using nietras.SeparatedValues;

namespace Orchestrator.ML.Data;

/// <summary>Reads the <c>separator</c> arg of <c>ml.ingest</c>.</summary>
public static class CsvSeparator
{
    /// <summary>Accepts one printable ASCII character other than a quote, letter or digit (e.g. <c>,</c> <c>;</c>
    /// <c>|</c>), or a tab written as a tab character, <c>\t</c> or <c>tab</c>. Null or empty means a comma.</summary>
    /// <exception cref="ArgumentException">The arg is anything else; the message says what is accepted.</exception>
    public static char Parse(string? arg)
    {
        if (string.IsNullOrEmpty(arg))
        {
            return ',';
        }

        var separator = arg switch
        {
            "\\t" or "tab" or "TAB" => '\t',
            { Length: 1 } => arg[0],
            _ => throw new ArgumentException(Explain($"'{arg}' is {arg.Length} characters"), nameof(arg)),
        };
        Validate(separator);
        return separator;
    }

    internal static void Validate(char separator)
    {
        if (char.IsLetterOrDigit(separator) || separator is '"' or '.' or '-' or '+')
        {
            throw new ArgumentException(Explain($"'{separator}' would clash with values or quoting"), nameof(separator));
        }

        try
        {
            _ = new Sep(separator);
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException(Explain($"'{Printable(separator)}' is not supported by the CSV reader"), nameof(separator), exception);
        }
    }

    private static string Printable(char separator) => separator < ' ' ? $"\\u{(int)separator:x4}" : separator.ToString();

    private static string Explain(string problem) =>
        $"separator: {problem}; expected one character such as ',' ';' '|' or a tab (\"\\t\" or \"tab\")";
}
