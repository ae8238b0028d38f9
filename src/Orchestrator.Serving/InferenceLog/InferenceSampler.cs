namespace Orchestrator.Serving.InferenceLog;

/// <summary>Decides, once per scoring request, whether the inference log keeps that request's rows.</summary>
public interface IInferenceSampler
{
    bool Sample();
}

/// <summary>Keeps each request with probability <c>rate</c> (0..1): 1 keeps all without drawing, 0 none. The random
/// source is injectable so a test can seed it; calls are serialized because <see cref="Random"/> is not thread-safe
/// unless it is <see cref="Random.Shared"/>.</summary>
public sealed class RandomInferenceSampler(double rate, Random? random = null) : IInferenceSampler
{
    private readonly Random _random = random ?? Random.Shared;
    private readonly Lock _gate = new();

    public double Rate { get; } = rate is >= 0 and <= 1 ? rate : throw new ArgumentOutOfRangeException(nameof(rate), rate, "the sampling rate is a share from 0 to 1");

    public bool Sample()
    {
        if (Rate >= 1)
        {
            return true;
        }

        if (Rate <= 0)
        {
            return false;
        }

        if (ReferenceEquals(_random, Random.Shared))
        {
            return Random.Shared.NextDouble() < Rate;
        }

        lock (_gate)
        {
            return _random.NextDouble() < Rate;
        }
    }
}
