using System.Security.Cryptography;
using Orchestrator.ML.Data.Ingest;

namespace Orchestrator.ML.Tests.Data;

public sealed class HashingReadStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(333)]
    [InlineData(1 << 16)]
    public async Task Sync_reads_of_any_size_hash_every_byte_once(int chunk)
    {
        var bytes = new byte[100_000];
        new Random(5).NextBytes(bytes);
        await using var stream = new HashingReadStream(new MemoryStream(bytes));
        var buffer = new byte[chunk];
        var half = 0;
        while (half < bytes.Length / 2 && stream.Read(buffer, 0, Math.Min(chunk, (bytes.Length / 2) - half)) is var read and > 0)
        {
            half += read;
        }

        // FinishAsync reads the rest itself, as after a reader that stopped early.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), await stream.FinishAsync(CancellationToken.None));
        Assert.Equal(bytes.Length, stream.BytesRead);
    }
}
