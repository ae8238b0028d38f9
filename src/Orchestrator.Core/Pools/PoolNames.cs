namespace Orchestrator.Core.Pools;

/// <summary>Pool names as DAG files, the CLI and the API write them.</summary>
public static class PoolNames
{
    /// <summary>1–64 ASCII letters, digits, '_', '-' or '.', not dots alone ("." and ".." cannot be a URL's path
    /// segment, so the REST API could not reach such a pool).</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && name.Any(c => c != '.');

    public const string Expected = "1-64 ASCII letters, digits, '_', '-' or '.' (not dots alone)";

    /// <summary>The most slots a pool may have, so also the most a task may ask for.</summary>
    public const int MaxSlots = 100_000;
}
