namespace Orchestrator.ML.Data.Profiling;

/// <summary>A merging t-digest (Dunning and Ertl, "Computing extremely accurate quantiles using t-digests"): a
/// bounded set of centroids summarising any number of values, so quantiles of a billion-row column cost the memory of a
/// few hundred doubles. The arcsine scale function keeps centroids near the tails small, so p1 and p99 are much more
/// accurate than the median. No NuGet package offers a maintained t-digest or KLL sketch, hence this small one.</summary>
/// <remarks>Observed rank error with compression 200 stays well under 0.5% of the count (tests hold it to 1%).</remarks>
internal sealed class TDigest
{
    private readonly double _compression;
    private readonly double[] _buffer;
    private int _buffered;
    private double[] _means;
    private double[] _weights;
    private double[] _nextMeans;
    private double[] _nextWeights;
    private int _centroids;
    private double _centroidWeight;

    public TDigest(double compression = 200)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(compression, 20);
        _compression = compression;
        // A buffer several times the centroid budget amortises the sort-and-merge over many adds.
        _buffer = new double[(int)(compression * 10)];
        var capacity = (int)(compression * 2) + 10 + _buffer.Length;
        _means = new double[capacity];
        _weights = new double[capacity];
        _nextMeans = new double[capacity];
        _nextWeights = new double[capacity];
    }

    public long Count { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>The number of centroids after merging everything added so far (bounded by about the compression).</summary>
    public int CentroidCount
    {
        get
        {
            Flush();
            return _centroids;
        }
    }

    public void Add(double value)
    {
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }

        Count++;
        _buffer[_buffered++] = value;
        if (_buffered == _buffer.Length)
        {
            Flush();
        }
    }

    /// <summary>Adds <paramref name="times"/> copies of a value (used to replay exact counts into the sketch).</summary>
    public void Add(double value, long times)
    {
        for (long i = 0; i < times; i++)
        {
            Add(value);
        }
    }

    /// <summary>The centroids (mean, weight) in ascending order of mean.</summary>
    public IReadOnlyList<(double Mean, double Weight)> Centroids()
    {
        Flush();
        var list = new (double, double)[_centroids];
        for (var i = 0; i < _centroids; i++)
        {
            list[i] = (_means[i], _weights[i]);
        }

        return list;
    }

    /// <summary>The estimated value at quantile <paramref name="q"/> (0..1), interpolating between centroid centres
    /// and clamped to the exact min and max.</summary>
    public double Quantile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        Flush();
        if (_centroids == 0)
        {
            return double.NaN;
        }

        if (_centroids == 1 || Min == Max)
        {
            return _centroids == 1 && _weights[0] == 1 ? _means[0] : Interpolate(Min, Max, q);
        }

        var total = _centroidWeight;
        var index = q * total;

        // Left of the first centroid's centre: between the exact minimum and that centre.
        if (index < 1)
        {
            return Min;
        }

        if (index < _weights[0] / 2)
        {
            return Interpolate(Min, _means[0], (index - 1) / ((_weights[0] / 2) - 1));
        }

        if (index > total - 1)
        {
            return Max;
        }

        var last = _centroids - 1;
        if (index > total - (_weights[last] / 2))
        {
            var z = total - index - 1;
            return Interpolate(Max, _means[last], z / ((_weights[last] / 2) - 1));
        }

        var cumulative = _weights[0] / 2;
        for (var i = 0; i < last; i++)
        {
            var gap = (_weights[i] + _weights[i + 1]) / 2;
            if (cumulative + gap >= index)
            {
                var leftUnit = _weights[i] == 1 ? 0.5 : 0;
                var rightUnit = _weights[i + 1] == 1 ? 0.5 : 0;
                var z1 = index - cumulative - leftUnit;
                var z2 = cumulative + gap - index - rightUnit;
                if (z1 <= 0)
                {
                    return _means[i];
                }

                if (z2 <= 0)
                {
                    return _means[i + 1];
                }

                return ((_means[i] * z2) + (_means[i + 1] * z1)) / (z1 + z2);
            }

            cumulative += gap;
        }

        return _means[last];
    }

    private static double Interpolate(double from, double to, double fraction)
    {
        fraction = Math.Clamp(double.IsFinite(fraction) ? fraction : 0, 0, 1);
        return from + ((to - from) * fraction);
    }

    /// <summary>Sorts the buffer and merges it with the centroids, fusing neighbours while the merged centroid stays
    /// within one unit of the scale function k(q) = δ/(2π)·asin(2q−1).</summary>
    private void Flush()
    {
        if (_buffered == 0)
        {
            return;
        }

        Array.Sort(_buffer, 0, _buffered);
        var total = _centroidWeight + _buffered;
        var output = 0;
        var weightSoFar = 0.0;
        var limit = total * QuantileOfScale(ScaleOfQuantile(0) + 1);
        double currentMean = 0, currentWeight = 0;
        var fromCentroids = 0;
        var fromBuffer = 0;
        while (fromCentroids < _centroids || fromBuffer < _buffered)
        {
            double mean, weight;
            if (fromBuffer >= _buffered || (fromCentroids < _centroids && _means[fromCentroids] <= _buffer[fromBuffer]))
            {
                mean = _means[fromCentroids];
                weight = _weights[fromCentroids];
                fromCentroids++;
            }
            else
            {
                mean = _buffer[fromBuffer];
                weight = 1;
                fromBuffer++;
            }

            if (currentWeight == 0)
            {
                currentMean = mean;
                currentWeight = weight;
            }
            else if (weightSoFar + currentWeight + weight <= limit)
            {
                currentWeight += weight;
                currentMean += (mean - currentMean) * weight / currentWeight;
            }
            else
            {
                _nextMeans[output] = currentMean;
                _nextWeights[output] = currentWeight;
                output++;
                weightSoFar += currentWeight;
                limit = total * QuantileOfScale(ScaleOfQuantile(weightSoFar / total) + 1);
                currentMean = mean;
                currentWeight = weight;
            }
        }

        _nextMeans[output] = currentMean;
        _nextWeights[output] = currentWeight;
        output++;

        (_means, _nextMeans) = (_nextMeans, _means);
        (_weights, _nextWeights) = (_nextWeights, _weights);
        _centroids = output;
        _centroidWeight = total;
        _buffered = 0;
    }

    private double ScaleOfQuantile(double q) =>
        _compression / (2 * Math.PI) * Math.Asin(Math.Clamp((2 * q) - 1, -1, 1));

    private double QuantileOfScale(double k)
    {
        var angle = k * 2 * Math.PI / _compression;
        return angle >= Math.PI / 2 ? 1 : (Math.Sin(angle) + 1) / 2;
    }
}
