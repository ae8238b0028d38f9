using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>One chunk of the inference log as stored in <c>inference_chunks.data</c>: a JSON array of rows
/// <c>{"requestId", "row", "version", "at" (Unix ms), "inputs" (JSON object), "prediction" (JSON)}</c>. The model is
/// the chunk's column, not repeated per row. Inputs and predictions are JSON already and are embedded as they are
/// (no re-parsing on write), and cut back out of the array byte for byte on read.</summary>
internal static class InferenceChunkCodec
{
    private static readonly JsonEncodedText RequestId = JsonEncodedText.Encode("requestId");
    private static readonly JsonEncodedText Row = JsonEncodedText.Encode("row");
    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText At = JsonEncodedText.Encode("at");
    private static readonly JsonEncodedText Inputs = JsonEncodedText.Encode("inputs");
    private static readonly JsonEncodedText Prediction = JsonEncodedText.Encode("prediction");

    /// <summary>The rows of one model as a chunk's JSON text. Throws when an inputs or prediction text is not JSON,
    /// naming the row: a bad row must not make its whole chunk unreadable.</summary>
    public static string Encode(IReadOnlyList<InferenceRecord> rows)
    {
        var buffer = new ArrayBufferWriter<byte>(rows.Count * 256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var record in rows)
            {
                json.WriteStartObject();
                json.WriteString(RequestId, record.RequestId);
                json.WriteNumber(Row, record.Row);
                json.WriteNumber(Version, record.Version);
                json.WriteNumber(At, Ms.Of(record.At));
                WriteJson(json, Inputs, record.Inputs, record, "Inputs");
                WriteJson(json, Prediction, record.Prediction, record, "Prediction");
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteJson(Utf8JsonWriter json, JsonEncodedText name, string value, InferenceRecord record, string field)
    {
        json.WritePropertyName(name);
        try
        {
            json.WriteRawValue(value); // validated: one JSON value, as is
        }
        catch (JsonException e)
        {
            throw new ArgumentException(
                $"InferenceRecord.{field} of request '{record.RequestId}' row {record.Row} must be one JSON value; got '{value}' ({e.Message})", nameof(record), e);
        }
    }

    /// <summary>The rows of a chunk of <paramref name="model"/>, in stored order.</summary>
    public static List<InferenceRecord> Decode(string model, string data)
    {
        var bytes = Encoding.UTF8.GetBytes(data);
        var rows = new List<InferenceRecord>();
        var reader = new Utf8JsonReader(bytes);
        Expect(ref reader, JsonTokenType.StartArray);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            rows.Add(ReadRow(ref reader, bytes, model));
        }

        return rows;
    }

    private static InferenceRecord ReadRow(ref Utf8JsonReader reader, byte[] bytes, string model)
    {
        string? requestId = null, inputs = null, prediction = null;
        long row = 0, version = 0, at = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("requestId"u8))
            {
                requestId = reader.GetString();
            }
            else if (name.SequenceEqual("row"u8))
            {
                row = reader.GetInt64();
            }
            else if (name.SequenceEqual("version"u8))
            {
                version = reader.GetInt64();
            }
            else if (name.SequenceEqual("at"u8))
            {
                at = reader.GetInt64();
            }
            else if (name.SequenceEqual("inputs"u8))
            {
                inputs = RawValue(ref reader, bytes);
            }
            else if (name.SequenceEqual("prediction"u8))
            {
                prediction = RawValue(ref reader, bytes);
            }
            else
            {
                reader.Skip(); // a field a later version added
            }
        }

        if (requestId is null || inputs is null || prediction is null)
        {
            throw new InvalidDataException($"an inference log chunk of model '{model}' holds a row without requestId, inputs or prediction");
        }

        return new InferenceRecord(requestId, checked((int)row), model, checked((int)version), Ms.At(at), inputs, prediction);
    }

    /// <summary>The current value's exact text (an object or array with everything in it).</summary>
    private static string RawValue(ref Utf8JsonReader reader, byte[] bytes)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        var end = (int)reader.BytesConsumed;
        return Encoding.UTF8.GetString(bytes, start, end - start);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"an inference log chunk must be a JSON array of rows; found {reader.TokenType}"));
        }
    }
}
