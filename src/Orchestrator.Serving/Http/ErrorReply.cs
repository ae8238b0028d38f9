using Microsoft.AspNetCore.Http;

namespace Orchestrator.Serving.Http;

/// <summary>Error replies in MLflow's shape: <c>{"error_code": "BAD_REQUEST", "message": "..."}</c>.</summary>
internal static class ErrorReply
{
    public static async Task SendAsync(HttpResponse response, int statusCode, string errorCode, string message, CancellationToken cancellationToken)
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
            reply.Json.WriteEndObject();
            await reply.SendAsync(response, statusCode, cancellationToken);
        }
        finally
        {
            ResponseBuffer.Return(reply);
        }
    }
}
