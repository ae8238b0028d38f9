using System.Text.RegularExpressions;

namespace Orchestrator.Secrets.Naming;

/// <summary>Names of Variables and Connections: letters, digits, '_', '.' and '-' (so they read the same in a
/// template, a shell and a URL), at most 250 characters.</summary>
public static partial class SecretNames
{
    public const int MaxLength = 250;

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    /// <summary>Null when the name is valid, else what is wrong with it, naming <paramref name="field"/>.</summary>
    public static string? Problem(string? name, string field) => name switch
    {
        null or "" => $"{field} is empty: give a name of letters, digits, '_', '.' and '-'",
        { Length: > MaxLength } => $"{field} is {name.Length} characters long: at most {MaxLength}",
        _ when !Pattern().IsMatch(name) => $"{field} '{name}' may contain only letters, digits, '_', '.' and '-'",
        _ => null,
    };

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,250}$")]
    private static partial Regex Pattern();
}
