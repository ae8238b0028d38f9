using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orchestrator.Benchmarks.Serving;

/// <summary>A wrk-style HTTP/1.1 load generator: each connection is one keep-alive socket sending the same prebuilt
/// request and reading the reply (headers + Content-Length body) before sending the next, recording each latency.
/// Kept this lean so that on a 2-core box the server, not the client, is what gets measured.</summary>
internal static class LoadGenerator
{
    public sealed record Result(long Requests, long Failures, TimeSpan Elapsed, long[] LatencyTicks, string? FirstFailure);

    public static async Task<Result> RunAsync(IPEndPoint server, byte[] request, int connections, TimeSpan duration, bool record)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(() => ConnectionAsync(server, request, stopAt, record))).ToList();
        var results = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new Result(
            results.Sum(r => r.Requests),
            results.Sum(r => r.Failures),
            elapsed,
            [.. results.SelectMany(r => r.Latencies)],
            results.Select(r => r.FirstFailure).FirstOrDefault(f => f is not null));
    }

    private sealed record ConnectionResult(long Requests, long Failures, List<long> Latencies, string? FirstFailure);

    private static async Task<ConnectionResult> ConnectionAsync(IPEndPoint server, byte[] request, long stopAt, bool record)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        var buffer = new byte[16 * 1024];
        var latencies = new List<long>(record ? 200_000 : 0);
        long requests = 0, failures = 0;
        string? firstFailure = null;
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            var start = Stopwatch.GetTimestamp();
            await socket.SendAsync(request, SocketFlags.None);
            var (status, length) = await ReadReplyAsync(socket, buffer);
            var end = Stopwatch.GetTimestamp();
            requests++;
            if (status != 200)
            {
                failures++;
                firstFailure ??= Encoding.UTF8.GetString(buffer, 0, length);
            }

            if (record)
            {
                latencies.Add(end - start);
            }
        }

        return new ConnectionResult(requests, failures, latencies, firstFailure);
    }

    /// <summary>Reads one reply; returns its status and the bytes it took in the buffer.</summary>
    private static async Task<(int Status, int Length)> ReadReplyAsync(Socket socket, byte[] buffer)
    {
        var read = 0;
        var headerEnd = -1;
        var total = int.MaxValue;
        while (read < total)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("The server closed the connection");
            }

            read += n;
            if (headerEnd < 0)
            {
                headerEnd = buffer.AsSpan(0, read).IndexOf("\r\n\r\n"u8);
                if (headerEnd >= 0)
                {
                    total = headerEnd + 4 + ContentLength(buffer.AsSpan(0, headerEnd));
                }
            }
        }

        var status = ((buffer[9] - '0') * 100) + ((buffer[10] - '0') * 10) + (buffer[11] - '0');
        return (status, read);
    }

    private static int ContentLength(ReadOnlySpan<byte> headers)
    {
        var at = IndexOfIgnoreCase(headers, "\r\ncontent-length:"u8);
        if (at < 0)
        {
            throw new InvalidDataException("The reply has no Content-Length (the benchmark expects unchunked replies)");
        }

        var value = 0;
        foreach (var b in headers[(at + 17)..])
        {
            if (b == ' ')
            {
                continue;
            }

            if (b is < (byte)'0' or > (byte)'9')
            {
                break;
            }

            value = (value * 10) + (b - '0');
        }

        return value;
    }

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerNeedle)
    {
        for (var i = 0; i + lowerNeedle.Length <= text.Length; i++)
        {
            var match = true;
            for (var j = 0; j < lowerNeedle.Length && match; j++)
            {
                var c = text[i + j];
                match = (c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c + 32) : c) == lowerNeedle[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}
