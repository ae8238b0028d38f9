using System.Buffers;
using System.Text.Json;
using Orchestrator.Storage.Records;

namespace Orchestrator.Serving.Http;

/// <summary>A feedback body the endpoint refuses, naming the field to blame (<c>labels[3].requestId</c>).</summary>
internal sealed class FeedbackBodyException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Parses <c>{"labels": [{"requestId": "…", "row": 0, "label": 12.5}]}</c>: requestId a non-empty string,
/// row a whole number ≥ 0 (default 0), label a number or a string (kept as its JSON text). Anything else is refused
/// as a whole, naming the field, so a body is stored entirely or not at all.</summary>
internal static class FeedbackBody
{
    private const int MaxRequestIdLength = 200;

    /// <summary>Labels one body may carry: each may make the store decode a chunk, so a body is bounded in work as
    /// well as in bytes. More go in several requests.</summary>
    public const int MaxLabels = 10_000;

    public static List<InferenceLabel> Parse(ReadOnlySequence<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new FeedbackBodyException("$", $"The body is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FeedbackBodyException("$", $"The body must be an object {{\"labels\": [...]}}, got {Describe(root)}");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name != "labels")
                {
                    throw new FeedbackBodyException(property.Name, $"Unknown field '{property.Name}': the body has only 'labels'");
                }
            }

            if (!root.TryGetProperty("labels", out var list))
            {
                throw new FeedbackBodyException("labels", "'labels' is required: a list of {\"requestId\", \"row\", \"label\"}");
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new FeedbackBodyException("labels", $"'labels' must be a list, got {Describe(list)}");
            }

            if (list.GetArrayLength() > MaxLabels)
            {
                throw new FeedbackBodyException("labels", $"'labels' holds {list.GetArrayLength():N0} labels; at most {MaxLabels:N0} per request (send the rest in further requests)");
            }

            var labels = new List<InferenceLabel>(list.GetArrayLength());
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                labels.Add(Label(item, $"labels[{index++}]"));
            }

            return labels;
        }
    }

    private static InferenceLabel Label(JsonElement item, string where)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new FeedbackBodyException(where, $"'{where}' must be an object {{\"requestId\", \"row\", \"label\"}}, got {Describe(item)}");
        }

        string? requestId = null;
        var row = 0;
        string? label = null;
        foreach (var property in item.EnumerateObject())
        {
            var field = $"{where}.{property.Name}";
            var value = property.Value;
            switch (property.Name)
            {
                case "requestId":
                    requestId = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    if (string.IsNullOrWhiteSpace(requestId) || requestId.Length > MaxRequestIdLength)
                    {
                        throw new FeedbackBodyException(field, $"'{field}' must be the X-Request-Id of a scoring answer (a non-empty string of at most {MaxRequestIdLength} characters), got {Describe(value)}");
                    }

                    break;
                case "row":
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out row) || row < 0)
                    {
                        throw new FeedbackBodyException(field, $"'{field}' must be a row number of the request (0, 1, ...), got {Describe(value)}");
                    }

                    break;
                case "label":
                    if (value.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
                    {
                        throw new FeedbackBodyException(field, $"'{field}' must be a number (regression) or a string (a class), got {Describe(value)}");
                    }

                    // 1e999 is valid JSON but no double: it would be stored and then poison every live metric.
                    if (value.ValueKind == JsonValueKind.Number && !(value.TryGetDouble(out var number) && double.IsFinite(number)))
                    {
                        throw new FeedbackBodyException(field, $"'{field}' must be a finite number, got {Describe(value)}");
                    }

                    label = value.GetRawText();
                    break;
                default:
                    throw new FeedbackBodyException(field, $"Unknown field '{field}': a label has requestId, row and label");
            }
        }

        if (requestId is null)
        {
            throw new FeedbackBodyException($"{where}.requestId", $"'{where}.requestId' is required: the X-Request-Id of the scoring answer");
        }

        if (label is null)
        {
            throw new FeedbackBodyException($"{where}.label", $"'{where}.label' is required: a number or a string");
        }

        return new InferenceLabel(requestId, row, label);
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string \"{Shorten(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Shorten(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        _ => "null",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
