namespace Orchestrator.ML.Data.Profiling;

/// <summary>Count, min, max, mean and variance in one pass (Welford's update, stable where sum-of-squares is not).</summary>
internal struct Moments
{
    private double _m2;

    public long Count { get; private set; }

    public double Min { get; private set; }

    public double Max { get; private set; }

    public double Mean { get; private set; }

    public void Add(double value)
    {
        Count++;
        if (Count == 1)
        {
            Min = Max = Mean = value;
            return;
        }

        if (value < Min)
        {
            Min = value;
        }
        else if (value > Max)
        {
            Max = value;
        }

        var delta = value - Mean;
        Mean += delta / Count;
        _m2 += delta * (value - Mean);
    }

    /// <summary>Sample standard deviation (n−1), 0 for fewer than two values.</summary>
    public readonly double SampleStd => Count < 2 ? 0 : Math.Sqrt(_m2 / (Count - 1));
}
