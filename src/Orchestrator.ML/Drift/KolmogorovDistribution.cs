namespace Orchestrator.ML.Drift;

/// <summary>Kolmogorov's limiting distribution of sqrt(n)·D (scipy's <c>kstwobign</c>). MathNet.Numerics 5 has no
/// Kolmogorov distribution, so the two classical series are summed here.</summary>
public static class KolmogorovDistribution
{
    /// <summary>P(K &gt; lambda) = 2 Σ_{k≥1} (-1)^(k-1) exp(-2 k² λ²).</summary>
    public static double Survival(double lambda)
    {
        if (double.IsNaN(lambda))
            throw new ArgumentException("lambda is NaN; expected a number.", nameof(lambda));
        if (lambda <= 0)
            return 1.0;
        // The alternating series converges fast for large lambda but badly near zero; there the dual (theta-function)
        // form P(K ≤ λ) = sqrt(2π)/λ Σ exp(-(2k-1)² π² / (8 λ²)) converges fast instead.
        if (lambda < 1.0)
        {
            var sum = 0.0;
            for (var k = 1; k <= 50; k++)
            {
                var odd = (2 * k) - 1;
                var term = Math.Exp(-odd * odd * Math.PI * Math.PI / (8 * lambda * lambda));
                sum += term;
                if (term < 1e-17 * sum)
                    break;
            }
            return Math.Clamp(1.0 - (Math.Sqrt(2 * Math.PI) / lambda * sum), 0.0, 1.0);
        }

        var survival = 0.0;
        for (var k = 1; k <= 100; k++)
        {
            var term = Math.Exp(-2.0 * k * k * lambda * lambda);
            survival += (k % 2 == 1 ? 2.0 : -2.0) * term;
            if (term < 1e-17)
                break;
        }
        return Math.Clamp(survival, 0.0, 1.0);
    }
}
