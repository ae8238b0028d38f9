using System.Globalization;
using System.Text;
using System.Text.Json;
using Orchestrator.Secrets.Masking;

namespace Orchestrator.Application.Runs;

/// <summary>A run's conf checked against the DAG's params: a JSON object whose values have the JSON kind of the
/// param's default (a number for a number, true/false for a boolean…), since templates and tasks read them as such;
/// a default written as an integer (no fraction, no exponent) asks for an integer written the same way, so 2 passes and
/// 2.0, 2e0 and 1.5 do not. At most <see cref="MaxBytes"/> of JSON and <see cref="MaxKeys"/> keys, since conf is stored
/// with every run and shown on every page about it.
/// Keys the DAG does not declare are accepted: a task reads every conf value through its context's params, as
/// Airflow's dag_run.conf allows.</summary>
internal static class ConfValidation
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxKeys = 1_000;

    /// <summary>The conf to store. A refusal quotes the param's default to say what is expected, masked as everywhere
    /// else when its name (or a key inside it) looks sensitive per <paramref name="sensitive"/>.</summary>
    public static string Normalize(string? confJson, IReadOnlyDictionary<string, JsonElement> declared, SensitiveNames? sensitive = null)
    {
        sensitive ??= SensitiveNames.Default;
        if (string.IsNullOrWhiteSpace(confJson))
        {
            return "{}";
        }

        var bytes = Encoding.UTF8.GetByteCount(confJson);
        if (bytes > MaxBytes)
        {
            throw ApplicationProblemException.Invalid(
                string.Create(CultureInfo.InvariantCulture, $"conf is {bytes:N0} bytes of JSON; at most {MaxBytes:N0} bytes (64 KiB) are allowed"), "conf");
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

            var keys = document.RootElement.EnumerateObject().Count();
            if (keys > MaxKeys)
            {
                throw ApplicationProblemException.Invalid(
                    string.Create(CultureInfo.InvariantCulture, $"conf has {keys:N0} keys; at most {MaxKeys:N0} are allowed"), "conf");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!declared.TryGetValue(property.Name, out var param) || param.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                if (Kind(param.ValueKind) != Kind(property.Value.ValueKind))
                {
                    throw ApplicationProblemException.Invalid(
                        $"conf.{property.Name} must be {Describe(param.ValueKind)} like the param's default {Shown(property.Name, param, sensitive)}, not {Describe(property.Value.ValueKind)}",
                        $"conf.{property.Name}");
                }

                if (IsInteger(param) && !IsInteger(property.Value))
                {
                    throw ApplicationProblemException.Invalid(
                        $"conf.{property.Name} must be an integer (digits only, no fraction or exponent) like the param's default {Shown(property.Name, param, sensitive)}, not {Shown(property.Name, property.Value, sensitive)}",
                        $"conf.{property.Name}");
                }
            }
        }

        return MaskedConfValues.Restore(confJson, declared, sensitive);
    }

    /// <summary>A value as a refusal may quote it: *** for a sensitive name, sensitive keys inside it masked.</summary>
    private static string Shown(string name, JsonElement value, SensitiveNames sensitive) =>
        SensitiveConf.Mask(new Dictionary<string, JsonElement>(StringComparer.Ordinal) { [name] = value }, sensitive)[name].GetRawText();

    /// <summary>A JSON number written without fraction or exponent.</summary>
    private static bool IsInteger(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.GetRawText().AsSpan().IndexOfAny(".eE") < 0;

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
