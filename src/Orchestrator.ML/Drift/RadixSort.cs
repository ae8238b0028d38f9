namespace Orchestrator.ML.Drift;

/// <summary>Sorted copy of finite doubles by LSD radix sort (11-bit digits over the IEEE bits mapped to an unsigned
/// order): linear time, several times faster than <see cref="Array.Sort{T}(T[])"/> on the million-value samples drift
/// compares, where sorting was most of the cost. Small samples use Array.Sort. -0.0 sorts before 0.0; both compare
/// equal, so every statistic over the result is the same.</summary>
internal static class RadixSort
{
    private const int SmallSample = 4096;
    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;
    private const int Passes = (64 + DigitBits - 1) / DigitBits;

    public static double[] SortedCopy(ReadOnlySpan<double> sample)
    {
        if (sample.Length < SmallSample)
        {
            var copy = sample.ToArray();
            Array.Sort(copy);
            return copy;
        }

        var keys = new ulong[sample.Length];
        var counts = new int[Passes * Buckets];
        for (var i = 0; i < sample.Length; i++)
        {
            var key = Key(sample[i]);
            keys[i] = key;
            for (var pass = 0; pass < Passes; pass++)
                counts[(pass * Buckets) + (int)((key >> (pass * DigitBits)) & (Buckets - 1))]++;
        }

        var buffer = new ulong[sample.Length];
        var offsets = new int[Buckets];
        for (var pass = 0; pass < Passes; pass++)
        {
            var histogram = counts.AsSpan(pass * Buckets, Buckets);
            // A digit all keys share (high bits of values in a narrow range) leaves the order as it is.
            if (histogram.Contains(sample.Length))
                continue;
            var sum = 0;
            for (var b = 0; b < Buckets; b++)
            {
                offsets[b] = sum;
                sum += histogram[b];
            }

            var shift = pass * DigitBits;
            foreach (var key in keys)
                buffer[offsets[(int)((key >> shift) & (Buckets - 1))]++] = key;
            (keys, buffer) = (buffer, keys);
        }

        var sorted = new double[sample.Length];
        for (var i = 0; i < keys.Length; i++)
            sorted[i] = Value(keys[i]);
        return sorted;
    }

    /// <summary>IEEE bits in an unsigned order: negatives flipped whole, positives with the sign bit set.</summary>
    private static ulong Key(double value)
    {
        var bits = (ulong)BitConverter.DoubleToInt64Bits(value);
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }

    private static double Value(ulong key)
    {
        var bits = (key & 0x8000_0000_0000_0000UL) != 0 ? key & 0x7FFF_FFFF_FFFF_FFFFUL : ~key;
        return BitConverter.Int64BitsToDouble((long)bits);
    }
}
