namespace Orchestrator.ML.Drift;

/// <summary>One string instance per distinct category of a column: a million rows of a few categories then cost a
/// few strings instead of a million, and the drift count recognises repeats by reference without hashing. A column
/// with very many distinct values (an id) stops being interned at <see cref="MaxEntries"/> so the table stays
/// bounded.</summary>
internal sealed class CategoryInterner
{
    public const int MaxEntries = 65_536;

    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CategoryInterner() => _lookup = _seen.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Intern(ReadOnlySpan<char> value)
    {
        if (_lookup.TryGetValue(value, out var known))
            return known;
        var text = value.ToString();
        if (_seen.Count < MaxEntries)
            _seen.Add(text);
        return text;
    }
}
