using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.ML.Models;
using Orchestrator.Serving.InferenceLog;
using Orchestrator.Serving.Payloads;
using Orchestrator.Serving.Resolution;

namespace Orchestrator.Serving.Http;

/// <summary><c>POST /models/{name}/invocations[?alias=A | ?version=N][&amp;details=true]</c>: scores the rows of an
/// MLflow-shaped JSON or CSV body with the selected model version and answers <c>{"predictions": [...]}</c>. The reply
/// names the version that answered in the <c>X-Model-Version</c> header, and every answer (error too) carries a new
/// <c>X-Request-Id</c>; a sampled request's rows go to the inference log queue under that id.</summary>
internal sealed class InvocationsEndpoint(
    ServedModels models, InferenceLogQueue inferenceLog, TimeProvider time, IOptions<ModelServingOptions> options, ILogger<InvocationsEndpoint> logger)
{
    public const string VersionHeader = "X-Model-Version";
    public const string RequestIdHeader = "X-Request-Id";

    private readonly ModelServingOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        // Version 7, made from the same instant the logged rows carry: the id's embedded Unix milliseconds are the
        // rows' time, which is how feedback finds the log chunk holding them.
        var now = time.GetUtcNow();
        var requestId = Guid.CreateVersion7(now).ToString("N");
        context.Response.Headers[RequestIdHeader] = requestId;
        try
        {
            var name = (string)request.RouteValues["name"]!;
            var (alias, version) = Selection(request);
            var details = Details(request);
            var format = RequestBody.FormatOf(request);
            RequestBody.CheckDeclaredLength(request, _options.MaxRequestBytes);
            using var lease = await models.AcquireAsync(name, alias, version, cancellationToken);
            var model = lease.Model;
            var rows = await ReadRowsAsync(request, format, model, cancellationToken);

            var reply = ResponseBuffer.Rent();
            try
            {
                var predictions = inferenceLog.ShouldLog() ? new Prediction[rows.Count] : null;
                Score(reply, model, rows, details, predictions);
                if (predictions is not null)
                {
                    // Queued before the answer goes out, so feedback sent on receiving it finds the rows (it flushes).
                    inferenceLog.Enqueue(new LoggedRequest(requestId, model, now, rows, predictions));
                }

                context.Response.Headers[VersionHeader] = VersionText(model.Version);
                await reply.SendAsync(context.Response, StatusCodes.Status200OK, cancellationToken);
            }
            finally
            {
                ResponseBuffer.Return(reply);
            }
        }
        catch (ServingException e)
        {
            await ErrorReply.SendAsync(context.Response, e.StatusCode, e.ErrorCode, e.Message, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The exception's message can hold file-system paths and internals: it goes to the log, not the client.
            logger.LogError(e, "Model serving: scoring failed for {Path}", request.Path);
            await ErrorReply.SendAsync(context.Response, StatusCodes.Status500InternalServerError, ServingErrorCodes.InternalError,
                "The model failed to score the request; the server log has the cause", cancellationToken);
        }
    }

    private async ValueTask<List<ModelRow>> ReadRowsAsync(HttpRequest request, BodyFormat format, ServedModel model, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        var body = await RequestBody.ReadAllAsync(reader, _options.MaxRequestBytes, cancellationToken);
        try
        {
            return format == BodyFormat.Json
                ? JsonPayloadParser.Parse(body, model.Binding, _options.MaxRows)
                : ParseCsv(body, model.Binding);
        }
        finally
        {
            reader.AdvanceTo(body.End);
        }
    }

    private List<ModelRow> ParseCsv(ReadOnlySequence<byte> body, InputBinding binding)
    {
        // CSV is not the hot path: one pooled copy gives the parser a contiguous buffer.
        var bytes = ArrayPool<byte>.Shared.Rent((int)body.Length);
        try
        {
            body.CopyTo(bytes);
            return CsvPayloadParser.Parse(bytes, (int)body.Length, binding, _options.MaxRows);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static void Score(ResponseBuffer reply, ServedModel model, List<ModelRow> rows, bool details, Prediction[]? kept)
    {
        var json = reply.Json;
        json.WriteStartObject();
        json.WriteStartArray("predictions");
        var scorer = model.Scorers.Get();
        try
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var prediction = scorer.Predict(rows[i]);
                PredictionWriter.Write(json, model, prediction, details);
                if (kept is not null)
                {
                    kept[i] = prediction;
                }
            }
        }
        finally
        {
            model.Scorers.Return(scorer);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static (string? Alias, int? Version) Selection(HttpRequest request)
    {
        var alias = RequestBody.SingleQueryValue(request, "alias");
        var versionText = RequestBody.SingleQueryValue(request, "version");
        if (alias is not null && versionText is not null)
        {
            throw ServingException.InvalidParameter("Give either ?alias= or ?version=, not both");
        }

        if (alias is not null && string.IsNullOrWhiteSpace(alias))
        {
            // An empty ?alias= would otherwise serve the default alias: the client meant some alias, so say so.
            throw ServingException.InvalidParameter($"?alias= must name an alias (production, champion, ...); got '{alias}'");
        }

        if (versionText is null)
        {
            return (alias, null);
        }

        if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            throw ServingException.InvalidParameter($"?version= must be a version number (1, 2, ...); got '{versionText}'");
        }

        return (null, version);
    }

    private static bool Details(HttpRequest request)
    {
        var text = RequestBody.SingleQueryValue(request, "details");
        if (text is null)
        {
            return false;
        }

        return bool.TryParse(text, out var details)
            ? details
            : throw ServingException.InvalidParameter($"?details= must be true or false; got '{text}'");
    }

    private static readonly string[] SmallVersions = [.. Enumerable.Range(0, 64).Select(v => v.ToString(CultureInfo.InvariantCulture))];

    private static string VersionText(int version) =>
        version < SmallVersions.Length ? SmallVersions[version] : version.ToString(CultureInfo.InvariantCulture);
}
