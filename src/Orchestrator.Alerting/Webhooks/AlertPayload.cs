using System.Globalization;
using System.Text.Json;
using Orchestrator.Storage.Records;

namespace Orchestrator.Alerting.Webhooks;

/// <summary>The JSON body a webhook receives: <c>{"id","kind","severity","message","dagId","runId","taskId","eventId",
/// "createdAt","link"?}</c>.</summary>
public static class AlertPayload
{
    public static byte[] Serialize(AlertRecord alert, Uri? publicUrl)
    {
        ArgumentNullException.ThrowIfNull(alert);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", alert.Id);
            writer.WriteString("kind", alert.Kind);
            writer.WriteString("severity", alert.Severity);
            writer.WriteString("message", alert.Message);
            writer.WriteString("dagId", alert.DagId);
            writer.WriteString("runId", alert.RunId);
            writer.WriteString("taskId", alert.TaskId);
            if (alert.EventId is { } eventId)
            {
                writer.WriteNumber("eventId", eventId);
            }
            else
            {
                writer.WriteNull("eventId");
            }

            writer.WriteString("createdAt", alert.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            if (publicUrl is not null)
            {
                writer.WriteString("link", new Uri(new Uri(publicUrl.ToString().TrimEnd('/') + "/"), $"api/v1/alerts/{alert.Id.ToString(CultureInfo.InvariantCulture)}").ToString());
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
