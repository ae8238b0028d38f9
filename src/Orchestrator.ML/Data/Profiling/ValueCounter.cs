using System.Runtime.InteropServices;

namespace Orchestrator.ML.Data.Profiling;

/// <summary>Counts the distinct texts of a column, looked up by span so a value already seen allocates nothing.
/// Exact while at most <see cref="Capacity"/> distinct values have been seen; past that it switches to Misra-Gries
/// (frequent items): memory stays bounded, every value more frequent than count/(capacity+1) is kept, and kept counts
/// become lower bounds, short by at most that much.</summary>
internal sealed class ValueCounter
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _emptied = [];

    public ValueCounter(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Capacity { get; private set; }

    /// <summary>True once more than <see cref="Capacity"/> distinct values were seen: counts are lower bounds from then
    /// on and the distinct count is only known to exceed the capacity.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Values counted (every call to <see cref="Add"/>).</summary>
    public long Total { get; private set; }

    public int Tracked => _counts.Count;

    public IEnumerable<KeyValuePair<string, long>> Counts => _counts;

    /// <summary>Counts one value; returns false when the value was new and did not fit (the counter overflowed).</summary>
    public bool Add(ReadOnlySpan<char> value)
    {
        Total++;
        if (_counts.Count < Capacity)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_lookup, value, out _)++;
            return true;
        }

        ref var count = ref CollectionsMarshal.GetValueRefOrNullRef(_lookup, value);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref count))
        {
            count++;
            return true;
        }

        Overflowed = true;
        DecrementAll();
        return false;
    }

    /// <summary>Counts one value only if it is already counted or fits: never approximates. Returns false (and counts
    /// nothing) for a new value when full, so the caller can give up on exact counting.</summary>
    public bool TryAddExact(ReadOnlySpan<char> value)
    {
        if (_counts.Count < Capacity)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_lookup, value, out _)++;
            Total++;
            return true;
        }

        ref var count = ref CollectionsMarshal.GetValueRefOrNullRef(_lookup, value);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref count))
        {
            return false;
        }

        count++;
        Total++;
        return true;
    }

    /// <summary>Changes how many values an exact counter keeps (a numeric column turning categorical keeps what it
    /// counted); never below what it already holds.</summary>
    public void Resize(int capacity) => Capacity = Math.Max(capacity, _counts.Count);

    /// <summary>Misra-Gries step: the new value and one occurrence of every kept value cancel out.</summary>
    private void DecrementAll()
    {
        foreach (var key in _counts.Keys)
        {
            ref var count = ref CollectionsMarshal.GetValueRefOrNullRef(_counts, key);
            count--;
            if (count == 0)
            {
                _emptied.Add(key);
            }
        }

        foreach (var key in _emptied)
        {
            _counts.Remove(key);
        }

        _emptied.Clear();
    }
}
