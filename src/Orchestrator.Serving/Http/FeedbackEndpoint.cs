using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Orchestrator.Serving.InferenceLog;
using Orchestrator.Storage;

namespace Orchestrator.Serving.Http;

/// <summary><c>POST /models/{name}/feedback</c>: ground-truth labels for logged rows, by the <c>X-Request-Id</c> a
/// scoring answer carried. Answers <c>{"accepted": N, "unknown": [{"requestId", "row"}]}</c>; a malformed body is
/// 400 with the <c>field</c> to blame and stores nothing; an unregistered model is 404. A label for a row that is
/// still queued is not lost: when some labels match nothing while rows wait in the queue, the queue is flushed and
/// those labels tried once more.</summary>
internal sealed class FeedbackEndpoint(InferenceLogQueue queue, IModelRegistryStore registry, TimeProvider time, IOptions<ModelServingOptions> options)
{
    private readonly ModelServingOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        try
        {
            var name = (string)request.RouteValues["name"]!;
            RequestBody.CheckDeclaredLength(request, _options.MaxRequestBytes);
            if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/json", StringComparison.OrdinalIgnoreCase))
            {
                throw new FeedbackBodyException("Content-Type", $"The body must be JSON (Content-Type: application/json), got '{request.ContentType}'");
            }

            var reader = request.BodyReader;
            var body = await RequestBody.ReadAllAsync(reader, _options.MaxRequestBytes, cancellationToken);
            List<Storage.Records.InferenceLabel> labels;
            try
            {
                labels = FeedbackBody.Parse(body);
            }
            finally
            {
                reader.AdvanceTo(body.End);
            }

            if (await registry.GetModelAsync(name, cancellationToken) is null)
            {
                throw ServingException.NotFound($"Model '{name}' is not registered");
            }

            if (queue.Store is not { } store)
            {
                throw new ServingException(StatusCodes.Status503ServiceUnavailable, ServingErrorCodes.TemporarilyUnavailable,
                    "This server keeps no inference log, so it has no rows to label");
            }

            var unknown = await store.LabelAsync(name, labels, time.GetUtcNow(), cancellationToken);
            if (unknown.Count > 0 && queue.Pending > 0)
            {
                await queue.FlushAsync(cancellationToken);
                unknown = await store.LabelAsync(name, unknown, time.GetUtcNow(), cancellationToken);
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsJsonAsync(
                new FeedbackReply(labels.Count - unknown.Count, [.. unknown.Select(label => new UnknownLabel(label.RequestId, label.Row))]),
                FeedbackJson.Default.FeedbackReply, cancellationToken: cancellationToken);
        }
        catch (FeedbackBodyException e)
        {
            await ErrorReply.SendAsync(context.Response, StatusCodes.Status400BadRequest, ServingErrorCodes.InvalidParameterValue, e.Message, cancellationToken, e.Field);
        }
        catch (ServingException e)
        {
            await ErrorReply.SendAsync(context.Response, e.StatusCode, e.ErrorCode, e.Message, cancellationToken);
        }
    }
}

internal sealed record FeedbackReply(int Accepted, IReadOnlyList<UnknownLabel> Unknown);

internal sealed record UnknownLabel(string RequestId, int Row);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(FeedbackReply))]
internal sealed partial class FeedbackJson : System.Text.Json.Serialization.JsonSerializerContext;
