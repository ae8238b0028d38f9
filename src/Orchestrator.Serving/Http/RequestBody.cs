using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.Serving.Http;

/// <summary>What a scoring request's body is, from its Content-Type (MLflow takes these two).</summary>
internal enum BodyFormat
{
    Json,
    Csv,
}

/// <summary>Request body helpers: the format from Content-Type, and reading the whole body within the size limit.</summary>
internal static class RequestBody
{
    public static BodyFormat FormatOf(HttpRequest request)
    {
        var contentType = request.ContentType;
        if (contentType is null)
        {
            throw UnsupportedType("none");
        }

        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0)
        {
            mediaType = mediaType[..semicolon];
        }

        mediaType = mediaType.Trim();
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return BodyFormat.Json;
        }

        if (mediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return BodyFormat.Csv;
        }

        throw UnsupportedType($"'{contentType}'");
    }

    /// <summary>Refuses a declared Content-Length over the limit before reading anything.</summary>
    public static void CheckDeclaredLength(HttpRequest request, long limit)
    {
        if (request.ContentLength is { } length && length > limit)
        {
            throw TooLarge(limit);
        }
    }

    /// <summary>Waits until the whole body is buffered in the pipe (no copy) and returns it; the caller must call
    /// <c>AdvanceTo(body.End)</c> on the reader when done with it. 413 as soon as more than the limit arrived.</summary>
    public static async ValueTask<ReadOnlySequence<byte>> ReadAllAsync(PipeReader reader, long limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                throw TooLarge(limit);
            }

            if (result.IsCompleted)
            {
                return buffer;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static ServingException TooLarge(long limit) =>
        ServingException.TooLarge($"The request body is larger than {limit} bytes, the limit per request; send fewer rows per request");

    private static ServingException UnsupportedType(string got) => new(
        StatusCodes.Status415UnsupportedMediaType,
        ServingErrorCodes.BadRequest,
        $"Content type must be application/json or text/csv; got {got}");

    /// <summary>The <c>?name=</c> query value, or null when absent; 400 when given twice. A parameter given with no
    /// value (<c>?alias=</c>) is the empty string, not absent: the caller refuses it rather than silently serving the
    /// default.</summary>
    public static string? SingleQueryValue(HttpRequest request, string name)
    {
        if (!request.Query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            throw ServingException.InvalidParameter($"Query parameter '{name}' is given {values.Count} times; give it once");
        }

        return values[0] ?? string.Empty;
    }
}
