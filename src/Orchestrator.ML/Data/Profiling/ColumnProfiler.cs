using System.Globalization;
using nietras.SeparatedValues;

namespace Orchestrator.ML.Data.Profiling;

/// <summary>What happened to one field.</summary>
internal enum FieldOutcome
{
    Counted,
    /// <summary>A column declared numeric held text: the ingest fails.</summary>
    NotANumber,
}

/// <summary>Profiles one column as its fields stream past, in bounded memory. An undeclared column starts numeric and
/// turns categorical at its first present value that is not a finite number; until then numbers are never turned
/// into strings (only a small exact counter keyed by the field's span, dropped past
/// <see cref="IngestOptions.ExactNumericLimit"/> distinct values, after which a t-digest takes over).</summary>
internal sealed class ColumnProfiler
{
    private readonly IngestOptions _options;
    private readonly ColumnKind? _declared;
    private readonly MissingTokens _missingTokens;
    private long _count;
    private long _missing;
    private bool _categorical;
    private Moments _moments;
    private TDigest? _digest;
    private ValueCounter? _values;
    private bool _numericCounterDropped;
    private bool _valuesBeforeSwitchUncounted;

    public ColumnProfiler(string name, ColumnKind? declared, IngestOptions options, MissingTokens missingTokens)
    {
        Name = name;
        _declared = declared;
        _options = options;
        _missingTokens = missingTokens;
        _categorical = declared == ColumnKind.Categorical;
        _values = new ValueCounter(_categorical ? options.DistinctLimit : options.ExactNumericLimit);
    }

    public string Name { get; }

    public FieldOutcome Add(SepReader.Col col)
    {
        var span = col.Span;
        if (span.IsEmpty)
        {
            _missing++;
            return FieldOutcome.Counted;
        }

        if (!_categorical)
        {
            if (col.TryParse<double>(out var number) && double.IsFinite(number))
            {
                AddNumber(number, span);
                return FieldOutcome.Counted;
            }

            if (_missingTokens.Contains(span))
            {
                _missing++;
                return FieldOutcome.Counted;
            }

            if (_declared == ColumnKind.Numeric)
            {
                return FieldOutcome.NotANumber;
            }

            SwitchToCategorical();
        }
        else if (_missingTokens.Contains(span))
        {
            _missing++;
            return FieldOutcome.Counted;
        }

        _count++;
        _values!.Add(span);
        return FieldOutcome.Counted;
    }

    private void AddNumber(double number, ReadOnlySpan<char> text)
    {
        _count++;
        _moments.Add(number);
        if (_values is null)
        {
            _digest!.Add(number);
        }
        else if (!_values.TryAddExact(text))
        {
            // Too many distinct numbers to keep exactly: replay what was counted into a sketch and stream from here.
            _digest = new TDigest(_options.Compression);
            foreach (var (key, count) in _values.Counts)
            {
                _digest.Add(ParseCounted(key), count);
            }

            _digest.Add(number);
            _values = null;
            _numericCounterDropped = true;
        }
    }

    private void SwitchToCategorical()
    {
        _categorical = true;
        _digest = null;
        if (_values is null)
        {
            // The numbers seen so far were too many to keep; their texts are gone, so frequencies start here.
            _values = new ValueCounter(_options.DistinctLimit);
            _valuesBeforeSwitchUncounted = true;
        }
        else
        {
            _values.Resize(_options.DistinctLimit);
        }
    }

    public ColumnProfile Finish()
    {
        if (_categorical)
        {
            return new ColumnProfile(Name, ColumnKind.Categorical, _count, _missing, Categorical: FinishCategorical());
        }

        return new ColumnProfile(Name, ColumnKind.Numeric, _count, _missing, Numeric: _count == 0 ? null : FinishNumeric());
    }

    private CategoricalProfile FinishCategorical()
    {
        var values = _values!;
        var top = values.Counts
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(_options.TopValues)
            .Select(pair => new ValueFrequency(pair.Key, pair.Value))
            .ToList();
        var approximate = values.Overflowed || _valuesBeforeSwitchUncounted;
        long distinct = values.Tracked;
        if (values.Overflowed)
        {
            distinct = Math.Max(distinct, values.Capacity + 1L);
        }

        if (_valuesBeforeSwitchUncounted)
        {
            distinct = Math.Max(distinct, _options.ExactNumericLimit + 1L);
        }

        return new CategoricalProfile(distinct, approximate, top, _count - top.Sum(value => value.Count), approximate);
    }

    private NumericProfile FinishNumeric()
    {
        var min = _moments.Min;
        var max = _moments.Max;
        var bins = _options.HistogramBins;
        if (_values is not null)
        {
            var distribution = NumericDistribution.Merge(_values.Counts.Select(pair => (ParseCounted(pair.Key), pair.Value)));
            var quantiles = NumericDistribution.QuantilesOf(q => NumericDistribution.ExactQuantile(distribution, _count, q));
            var histogram = NumericDistribution.HistogramOf(min, max, bins, _count, distribution.Select(pair => (pair.Value, (double)pair.Count)));
            return new NumericProfile(min, max, _moments.Mean, _moments.SampleStd, quantiles, histogram, Exact: true, distribution.Length, DistinctIsLowerBound: false);
        }

        var digest = _digest!;
        var sketched = NumericDistribution.QuantilesOf(digest.Quantile);
        var sketchedHistogram = NumericDistribution.HistogramOf(min, max, bins, _count, digest.Centroids());
        return new NumericProfile(min, max, _moments.Mean, _moments.SampleStd, sketched, sketchedHistogram, Exact: false, _options.ExactNumericLimit + 1L, DistinctIsLowerBound: _numericCounterDropped);
    }

    /// <summary>Counter keys are texts that already parsed as finite numbers.</summary>
    private static double ParseCounted(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
