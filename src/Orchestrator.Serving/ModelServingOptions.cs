namespace Orchestrator.Serving;

/// <summary>Limits and timings of the scoring endpoints (<c>AddModelServing(options => ...)</c>).</summary>
public sealed class ModelServingOptions
{
    /// <summary>Largest request body accepted; a bigger one is answered 413.</summary>
    public long MaxRequestBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Most rows scored in one request; more are answered 413.</summary>
    public int MaxRows { get; set; } = 10_000;

    /// <summary>The alias served when a request names neither <c>?alias=</c> nor <c>?version=</c>.</summary>
    public string DefaultAlias { get; set; } = "production";

    /// <summary>How often the served aliases are re-read from the registry (moves made by other processes show up
    /// within this; in-process deploys switch at once through <c>IModelDeploymentNotifier</c>).</summary>
    public TimeSpan AliasRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A loaded version no alias points at is released after going this long without a request (and only
    /// once the requests holding it have finished).</summary>
    public TimeSpan IdleModelRelease { get; set; } = TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        if (MaxRequestBytes <= 0 || MaxRows <= 0)
        {
            throw new InvalidOperationException("Model serving: MaxRequestBytes and MaxRows must be positive");
        }

        if (AliasRefreshInterval <= TimeSpan.Zero || IdleModelRelease < TimeSpan.Zero)
        {
            throw new InvalidOperationException("Model serving: AliasRefreshInterval must be positive and IdleModelRelease not negative");
        }

        if (string.IsNullOrWhiteSpace(DefaultAlias))
        {
            throw new InvalidOperationException("Model serving: DefaultAlias must not be empty");
        }
    }
}
