using System.Globalization;
using System.Text.Json;
using Orchestrator.ML.Models;
using Orchestrator.Serving.Resolution;

namespace Orchestrator.Serving.Http;

/// <summary>Writes predictions as MLflow's scoring server does: regression as numbers, classifiers as their labels
/// (booleans or numbers when the classes were, else strings). With <c>details</c>, each prediction is an object that
/// also carries the probability/score (binary) or the per-class scores (multiclass).</summary>
internal static class PredictionWriter
{
    public static void Write(Utf8JsonWriter json, ServedModel model, in Prediction prediction, bool details)
    {
        var signature = model.Signature;
        if (!details)
        {
            if (signature.Task == MlTask.Regression)
            {
                WriteNumber(json, prediction.Value);
            }
            else
            {
                WriteLabel(json, prediction.Label, model.Labels);
            }

            return;
        }

        json.WriteStartObject();
        switch (signature.Task)
        {
            case MlTask.Regression:
                json.WritePropertyName("value");
                WriteNumber(json, prediction.Value);
                break;
            case MlTask.Binary:
                json.WritePropertyName("label");
                WriteLabel(json, prediction.Label, model.Labels);
                json.WritePropertyName("probability");
                WriteNumber(json, prediction.Probability);
                json.WritePropertyName("score");
                WriteNumber(json, prediction.Score);
                break;
            default:
                json.WritePropertyName("label");
                WriteLabel(json, prediction.Label, model.Labels);
                json.WriteStartObject("scores");
                var scores = prediction.Scores ?? [];
                var classes = signature.Classes ?? [];
                for (var i = 0; i < scores.Length && i < classes.Count; i++)
                {
                    json.WritePropertyName(classes[i]);
                    WriteNumber(json, scores[i]);
                }

                json.WriteEndObject();
                break;
        }

        json.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter json, double? value)
    {
        // JSON has no NaN/Infinity: a model that produces one answers null there.
        if (value is { } number && double.IsFinite(number))
        {
            // ML.NET scores are floats: written as floats they read "12.3", not "12.300000190734863".
            var single = (float)number;
            if (single == number)
            {
                json.WriteNumberValue(single);
            }
            else
            {
                json.WriteNumberValue(number);
            }
        }
        else
        {
            json.WriteNullValue();
        }
    }

    private static void WriteLabel(Utf8JsonWriter json, string? label, LabelStyle style)
    {
        if (label is null)
        {
            json.WriteNullValue();
        }
        else if (style == LabelStyle.Boolean && bool.TryParse(label, out var flag))
        {
            json.WriteBooleanValue(flag);
        }
        else if (style == LabelStyle.Number && double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            json.WriteNumberValue(number);
        }
        else
        {
            json.WriteStringValue(label);
        }
    }
}
