using System.Security.Cryptography;

namespace Orchestrator.Loading;

/// <summary>A DAG version is the SHA-256 of its file's bytes: the same content always has the same version.</summary>
public static class DagVersion
{
    public static string Of(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
