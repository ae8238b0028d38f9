using System.Globalization;

namespace Orchestrator.Execution.Logs;

/// <summary>The marker that ends a log line cut at the line limit.</summary>
public static class LineMarker
{
    public static string Append(string kept, long cutChars) =>
        string.Create(CultureInfo.InvariantCulture, $"{kept}… [line truncated: {cutChars:N0} more characters]");
}
