namespace Orchestrator.Core.Pools;

/// <summary>Pool names as DAG files, the CLI and the API write them.</summary>
public static class PoolNames
{
    /// <summary>1–64 ASCII letters, digits, '_', '-' or '.'.</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    public const string Expected = "1-64 ASCII letters, digits, '_', '-' or '.'";
}
