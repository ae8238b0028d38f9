using System.Text.Encodings.Web;
using System.Text.Json;

namespace Orchestrator.Execution.Shell;

/// <summary>A shell task's output is its last non-empty stdout line: JSON when it parses, else a string.</summary>
internal static class ShellOutput
{
    public static JsonElement? FromLastLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        var trimmed = line.Trim();
        if (trimmed[0] is '{' or '[' or '"' or '-' or 't' or 'f' or 'n' || char.IsDigit(trimmed[0]))
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // not JSON: keep it as text
            }
        }

        return JsonSerializer.SerializeToElement(trimmed, TextOptions);
    }

    // Keeps '+', '<' and quotes readable when the output is shown or substituted as JSON.
    private static readonly JsonSerializerOptions TextOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
