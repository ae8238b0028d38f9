using System.Buffers;
using System.Text.Json;
using Orchestrator.ML.Models;

namespace Orchestrator.Serving.Payloads;

/// <summary>Reads an MLflow scoring request (JSON) into rows for a model's signature, in one forward pass of
/// <see cref="Utf8JsonReader"/> over the body as received. Accepted shapes (exactly one per body, plus an ignored
/// <c>params</c>): <c>dataframe_split</c> <c>{columns, data[, index]}</c>; <c>dataframe_records</c> and
/// <c>instances</c>, lists of <c>{column: value}</c>; <c>inputs</c>, a list of records or an object of
/// <c>column → list</c>. Columns the signature does not declare are skipped (MLflow ignores them too).</summary>
internal static class JsonPayloadParser
{
    public const string Formats = "dataframe_split, dataframe_records, instances, inputs";

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    public static List<ModelRow> Parse(ReadOnlySequence<byte> body, InputBinding binding, int maxRows)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        try
        {
            var rows = ParseDocument(ref reader, binding, maxRows);
            if (reader.Read())
            {
                throw ServingException.Malformed($"Unexpected content after the JSON object (byte {reader.TokenStartIndex})");
            }

            return rows;
        }
        catch (JsonException e)
        {
            throw ServingException.Malformed(DescribeSyntaxError(e));
        }
    }

    /// <summary>"Malformed JSON at line 3, byte 17: ..." from the reader's exception (its positions count from 0).</summary>
    internal static string DescribeSyntaxError(JsonException e)
    {
        var reason = e.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
        {
            reason = reason[..cut];
        }

        return $"Malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: {reason}";
    }

    private static List<ModelRow> ParseDocument(ref Utf8JsonReader reader, InputBinding binding, int maxRows)
    {
        // An empty body makes Read throw ("does not contain any JSON tokens"), reported as malformed.
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw ServingException.BadInput($"Expected a JSON object with one of {Formats}, got {JsonValues.Describe(ref reader)}");
        }

        List<ModelRow>? rows = null;
        string? format = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            switch (key)
            {
                case "dataframe_split":
                    OnlyOne(ref format, key);
                    rows = DataframeSplit.Read(ref reader, binding, maxRows);
                    break;
                case "dataframe_records":
                case "instances":
                    OnlyOne(ref format, key);
                    rows = Records.Read(ref reader, binding, maxRows, key);
                    break;
                case "inputs":
                    OnlyOne(ref format, key);
                    rows = reader.TokenType == JsonTokenType.StartObject
                        ? Columnar.Read(ref reader, binding, maxRows, key)
                        : Records.Read(ref reader, binding, maxRows, key);
                    break;
                case "params":
                    // MLflow passes these to models that declare params; ours declare none.
                    reader.Skip();
                    break;
                default:
                    throw ServingException.BadInput($"Unknown field '{key}'; expected exactly one of {Formats} (and optionally params)");
            }
        }

        return rows ?? throw ServingException.BadInput($"The JSON object has none of {Formats}; send exactly one");
    }

    private static void OnlyOne(ref string? format, string key)
    {
        if (format is not null)
        {
            throw ServingException.BadInput($"The JSON object has both '{format}' and '{key}'; send exactly one of {Formats}");
        }

        format = key;
    }

    internal static void CheckRowLimit(int count, int maxRows)
    {
        if (count > maxRows)
        {
            throw ServingException.TooLarge($"The request has more than {maxRows} rows, the limit per request");
        }
    }

    internal static ServingException ExpectedList(ref Utf8JsonReader reader, string where) =>
        ServingException.BadInput($"'{where}' must be a list, got {JsonValues.Describe(ref reader)} (byte {reader.TokenStartIndex})");
}
