using System.Text.Json;
using Orchestrator.Core.Secrets;
using Orchestrator.Secrets.Naming;

namespace Orchestrator.Secrets.Connections;

/// <summary>What a valid connection is, and the <c>--extra</c> JSON it may carry. Problems name the field.</summary>
public static class ConnectionRules
{
    /// <summary>Null when the connection is valid, else the first problem found.</summary>
    public static string? Problem(ConnectionValues connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (SecretNames.Problem(connection.Type, "type") is { } typeProblem)
        {
            return typeProblem;
        }

        if (connection.Port is { } port && port is < 1 or > 65535)
        {
            return $"port {port} is outside 1-65535";
        }

        return null;
    }

    /// <summary>Reads <c>--extra</c>: a JSON object whose values are strings (numbers and booleans are kept as their
    /// text). Throws <see cref="FormatException"/> saying which key is wrong.</summary>
    public static IReadOnlyDictionary<string, string> ParseExtra(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"extra is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1}): expected an object of strings such as {{\"sslmode\": \"require\"}}", exception);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"extra is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}: expected an object of strings such as {{\"sslmode\": \"require\"}}");
            }

            var extra = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                extra[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    _ => throw new FormatException($"extra key '{property.Name}' is a JSON {property.Value.ValueKind.ToString().ToLowerInvariant()}: its value must be a string"),
                };
            }

            return extra;
        }
    }
}
