using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.ML.Models;
using Orchestrator.Serving.Payloads;
using Orchestrator.Serving.Resolution;

namespace Orchestrator.Serving.Http;

/// <summary><c>POST /models/{name}/invocations[?alias=A | ?version=N][&amp;details=true]</c>: scores the rows of an
/// MLflow-shaped JSON or CSV body with the selected model version and answers <c>{"predictions": [...]}</c>. The reply
/// names the version that answered in the <c>X-Model-Version</c> header.</summary>
internal sealed class InvocationsEndpoint(ServedModels models, IOptions<ModelServingOptions> options, ILogger<InvocationsEndpoint> logger)
{
    public const string VersionHeader = "X-Model-Version";

    private readonly ModelServingOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
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
                Score(reply, model, rows, details);
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

    private static void Score(ResponseBuffer reply, ServedModel model, List<ModelRow> rows, bool details)
    {
        var json = reply.Json;
        json.WriteStartObject();
        json.WriteStartArray("predictions");
        var scorer = model.Scorers.Get();
        try
        {
            foreach (var row in rows)
            {
                PredictionWriter.Write(json, model, scorer.Predict(row), details);
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
