namespace Orchestrator.Application;

/// <summary>One page of a list, as every list answer of the API carries it.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit);

/// <summary>Which page of a list is asked for: <c>offset</c> from 0, <c>limit</c> 1–<see cref="MaxLimit"/>.</summary>
public readonly record struct PageRequest(int Offset, int Limit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>The page of the query string's <c>offset</c> and <c>limit</c> (absent: the first page of
    /// <see cref="DefaultLimit"/>); out of range: Invalid naming the parameter.</summary>
    public static PageRequest From(int? offset, int? limit)
    {
        if (offset is < 0)
        {
            throw ApplicationProblemException.Invalid($"offset must be 0 or more, not {offset}", "offset");
        }

        if (limit is < 1 or > MaxLimit)
        {
            throw ApplicationProblemException.Invalid($"limit must be between 1 and {MaxLimit}, not {limit}", "limit");
        }

        return new PageRequest(offset ?? 0, limit ?? DefaultLimit);
    }

    /// <summary>This page of an in-memory list.</summary>
    public Page<T> Of<T>(IReadOnlyList<T> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        return new Page<T>([.. all.Skip(Offset).Take(Limit)], all.Count, Offset, Limit);
    }
}
