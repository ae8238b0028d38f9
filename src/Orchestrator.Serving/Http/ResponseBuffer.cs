using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.ObjectPool;

namespace Orchestrator.Serving.Http;

/// <summary>A reusable buffer and JSON writer for one reply, so a small reply allocates neither; written whole with its
/// Content-Length (no chunked framing). Pooled; a buffer grown by a big batch is dropped rather than kept.</summary>
internal sealed class ResponseBuffer
{
    private const int KeepCapacityLimit = 256 * 1024;

    private static readonly ObjectPool<ResponseBuffer> Pool =
        new DefaultObjectPool<ResponseBuffer>(new Policy(), Environment.ProcessorCount * 4);

    private readonly ArrayBufferWriter<byte> _buffer = new(512);

    private ResponseBuffer()
    {
        // Replies are application/json read by programs and people, never embedded in HTML: quotes and apostrophes in
        // messages ("column 'trip_distance'") stay readable instead of becoming \u0027.
        Json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public Utf8JsonWriter Json { get; }

    public static ResponseBuffer Rent()
    {
        var rented = Pool.Get();
        rented._buffer.ResetWrittenCount();
        rented.Json.Reset(rented._buffer);
        return rented;
    }

    public static void Return(ResponseBuffer buffer) => Pool.Return(buffer);

    /// <summary>Flushes the JSON and sends it as the reply body.</summary>
    public async Task SendAsync(HttpResponse response, int statusCode, CancellationToken cancellationToken)
    {
        Json.Flush();
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        response.ContentLength = _buffer.WrittenCount;
        await response.Body.WriteAsync(_buffer.WrittenMemory, cancellationToken);
    }

    private sealed class Policy : PooledObjectPolicy<ResponseBuffer>
    {
        public override ResponseBuffer Create() => new();

        public override bool Return(ResponseBuffer obj) => obj._buffer.Capacity <= KeepCapacityLimit;
    }
}
