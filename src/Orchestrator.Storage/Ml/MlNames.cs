namespace Orchestrator.Storage.Ml;

/// <summary>What the ML stores accept as names. Model and alias names end up in URLs
/// (<c>/models/{name}/invocations?alias=</c>) and on command lines, so they are kept to a plain character set;
/// experiment names are free text as in MLflow. Each check throws <see cref="ArgumentException"/> naming the field.</summary>
public static class MlNames
{
    public const int MaxModelName = 200;

    public const int MaxAlias = 100;

    public const int MaxExperimentName = 500;

    /// <summary>Why the model name is refused, or null when it is fine.</summary>
    public static string? ModelNameProblem(string? name) =>
        Plain(name, "model name", MaxModelName, allowDot: true);

    /// <summary>Why the alias is refused, or null. As in MLflow, <c>latest</c> and <c>vN</c> are reserved: they
    /// would read as a version selector.</summary>
    public static string? AliasProblem(string? alias)
    {
        if (Plain(alias, "alias", MaxAlias, allowDot: false) is { } problem)
        {
            return problem;
        }

        if (string.Equals(alias, "latest", StringComparison.OrdinalIgnoreCase) ||
            (alias!.Length > 1 && alias[0] is 'v' or 'V' && alias.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0))
        {
            return $"alias '{alias}' is reserved (latest and vN name versions)";
        }

        return null;
    }

    public static string? ExperimentNameProblem(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "experiment name is empty"
        : name.Length > MaxExperimentName ? $"experiment name is longer than {MaxExperimentName} characters"
        : null;

    internal static void Ensure(string? problem, string field)
    {
        if (problem is not null)
        {
            throw new ArgumentException(problem, field);
        }
    }

    private static string? Plain(string? value, string field, int max, bool allowDot)
    {
        if (string.IsNullOrEmpty(value))
        {
            return $"{field} is empty";
        }

        if (value.Length > max)
        {
            return $"{field} '{value[..20]}…' is longer than {max} characters";
        }

        if (!char.IsAsciiLetterOrDigit(value[0]))
        {
            return $"{field} '{value}' must start with a letter or digit";
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (allowDot && c == '.')))
            {
                return $"{field} '{value}' may hold only letters, digits, '_', '-'{(allowDot ? " and '.'" : "")} (found '{c}')";
            }
        }

        return null;
    }
}
