using Microsoft.AspNetCore.Http;

namespace Orchestrator.Serving.Http;

/// <summary>Error replies in MLflow's shape: <c>{"error_code": "BAD_REQUEST", "message": "..."}</c>, with the
/// offending <c>field</c> (e.g. <c>labels[3].requestId</c>) when one is to blame.</summary>
internal static class ErrorReply
{
    public static async Task SendAsync(HttpResponse response, int statusCode, string errorCode, string message, CancellationToken cancellationToken, string? field = null)
    {
        if (response.HasStarted)
        {
            return;
        }

        var reply = ResponseBuffer.Rent();
        try
        {
            reply.Json.WriteStartObject();
            reply.Json.WriteString("error_code", errorCode);
            reply.Json.WriteString("message", message);
            if (field is not null)
            {
                reply.Json.WriteString("field", field);
            }
            reply.Json.WriteEndObject();
            await reply.SendAsync(response, statusCode, cancellationToken);
        }
        finally
        {
            ResponseBuffer.Return(reply);
        }
    }
}
