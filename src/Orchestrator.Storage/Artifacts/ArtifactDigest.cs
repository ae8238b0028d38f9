using System.Security.Cryptography;

namespace Orchestrator.Storage.Artifacts;

/// <summary>The address of stored bytes: their SHA-256 as 64 lowercase hex characters. Checked before a digest
/// reaches a path or a query, so a digest can never name anything outside the store.</summary>
public static class ArtifactDigest
{
    public const int Length = 64;

    public static bool IsValid(string? digest)
    {
        if (digest is not { Length: Length })
        {
            return false;
        }

        foreach (var c in digest)
        {
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="field"/> when the digest is malformed.</summary>
    public static void Ensure(string? digest, string field)
    {
        if (!IsValid(digest))
        {
            throw new ArgumentException($"{field} '{digest}' is not a SHA-256 digest: expected {Length} lowercase hex characters", field);
        }
    }

    public static string Of(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);

    /// <summary>Hashes a stream to its end.</summary>
    public static async Task<string> ComputeAsync(Stream content, CancellationToken cancellationToken) =>
        Of(await SHA256.HashDataAsync(content, cancellationToken));
}
