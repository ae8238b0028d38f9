namespace Orchestrator.Secrets.Masking;

/// <summary>Which conf/params keys (and connection extra keys) hold secrets, by name, as Airflow's masker decides:
/// a key is sensitive when it contains one of the words, ignoring case and the separators '_', '-', '.' and ' '
/// (so "api_key", "apiKey" and "X-Api-Key" all match "api_key"). Operators add words with
/// <c>ORCHESTRATOR_SENSITIVE_NAMES</c> (comma-separated); the defaults always apply.</summary>
public sealed class SensitiveNames
{
    public const string EnvironmentVariable = "ORCHESTRATOR_SENSITIVE_NAMES";

    public static IReadOnlyList<string> Defaults { get; } =
        ["password", "passwd", "passphrase", "secret", "token", "api_key", "apikey", "access_key", "private_key", "credential", "auth", "dsn", "connection_string"];

    public static SensitiveNames Default { get; } = new([]);

    private readonly string[] _words;

    /// <param name="extraWords">Words added to <see cref="Defaults"/>.</param>
    public SensitiveNames(IEnumerable<string> extraWords)
    {
        ArgumentNullException.ThrowIfNull(extraWords);
        _words = [.. Defaults.Concat(extraWords).Select(Normalize).Where(word => word.Length > 0).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The words in effect (normalised: lower case, no separators).</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>The defaults plus the words of <c>ORCHESTRATOR_SENSITIVE_NAMES</c>.</summary>
    public static SensitiveNames FromEnvironment(Func<string, string?>? environment = null)
    {
        var extra = (environment ?? Environment.GetEnvironmentVariable)(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(extra) ? Default : new SensitiveNames(extra.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    public bool IsSensitive(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var normalized = Normalize(name);
        foreach (var word in _words)
        {
            if (normalized.Contains(word, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string Normalize(string name)
    {
        var kept = new char[name.Length];
        var length = 0;
        foreach (var c in name)
        {
            if (c is not ('_' or '-' or '.' or ' '))
            {
                kept[length++] = char.ToLowerInvariant(c);
            }
        }

        return new string(kept, 0, length);
    }
}
