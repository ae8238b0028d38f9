using System.Text.Json;

namespace Orchestrator.Application.Runs;

/// <summary>A run's conf checked against the DAG's params: a JSON object whose values have the JSON kind of the
/// param's default (a number for a number, true/false for a boolean…), since templates and tasks read them as such.
/// Keys the DAG does not declare are accepted: a task reads every conf value through its context's params, as
/// Airflow's dag_run.conf allows.</summary>
internal static class ConfValidation
{
    public static string Normalize(string? confJson, IReadOnlyDictionary<string, JsonElement> declared)
    {
        if (string.IsNullOrWhiteSpace(confJson))
        {
            return "{}";
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(confJson);
        }
        catch (JsonException exception)
        {
            throw ApplicationProblemException.Invalid(
                $"conf is not valid JSON (line {(exception.LineNumber ?? 0) + 1}, position {(exception.BytePositionInLine ?? 0) + 1}); expected a JSON object such as {{\"minRows\": 100}}", "conf");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ApplicationProblemException.Invalid($"conf is {Describe(document.RootElement.ValueKind)}, not a JSON object", "conf");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (declared.TryGetValue(property.Name, out var param) && param.ValueKind != JsonValueKind.Null
                    && Kind(param.ValueKind) != Kind(property.Value.ValueKind))
                {
                    throw ApplicationProblemException.Invalid(
                        $"conf.{property.Name} must be {Describe(param.ValueKind)} like the param's default {param.GetRawText()}, not {Describe(property.Value.ValueKind)}",
                        $"conf.{property.Name}");
                }
            }
        }

        return confJson;
    }

    private static JsonValueKind Kind(JsonValueKind kind) => kind == JsonValueKind.False ? JsonValueKind.True : kind;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
