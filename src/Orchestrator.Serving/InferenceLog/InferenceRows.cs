using System.Buffers;
using System.Text;
using System.Text.Json;
using Orchestrator.ML.Data;
using Orchestrator.Serving.Http;
using Orchestrator.Storage.Records;

namespace Orchestrator.Serving.InferenceLog;

/// <summary>Turns logged requests into stored rows: the inputs as a JSON object in signature order (numbers as
/// numbers, categories as strings, a missing value as null) and the prediction as the caller got it without
/// <c>details</c> (a number for regression, the label for classifiers). One writer per draining thread.</summary>
internal sealed class InferenceRows : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    public InferenceRows() => _json = new Utf8JsonWriter(_buffer);

    public void AddTo(List<InferenceRecord> records, LoggedRequest request)
    {
        var model = request.Model;
        var slots = model.Binding.Slots;
        for (var i = 0; i < request.Rows.Count; i++)
        {
            var row = request.Rows[i];
            Reset();
            _json.WriteStartObject();
            foreach (var slot in slots)
            {
                _json.WritePropertyName(slot.Name);
                if (slot.Kind == ColumnKind.Numeric)
                {
                    var value = row.Numeric[slot.Index];
                    if (float.IsFinite(value))
                    {
                        _json.WriteNumberValue(value);
                    }
                    else
                    {
                        _json.WriteNullValue();
                    }
                }
                else if (row.Categorical[slot.Index] is { } text)
                {
                    _json.WriteStringValue(text);
                }
                else
                {
                    _json.WriteNullValue();
                }
            }

            _json.WriteEndObject();
            var inputs = Text();

            Reset();
            PredictionWriter.Write(_json, model, request.Predictions[i], details: false);
            records.Add(new InferenceRecord(request.RequestId, i, model.Name, model.Version, request.At, inputs, Text()));
        }
    }

    public void Dispose() => _json.Dispose();

    private void Reset()
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
    }

    private string Text()
    {
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }
}
