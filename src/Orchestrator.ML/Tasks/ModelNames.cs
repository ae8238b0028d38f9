using System.Text.RegularExpressions;
using Orchestrator.Core.Authoring;

namespace Orchestrator.ML.Tasks;

/// <summary>Registered model and alias names: what appears in a serving URL, so letters, digits, '_', '-' and '.'.</summary>
public static partial class ModelNames
{
    public static bool IsValid(string? name) => name is { Length: > 0 and <= 128 } && Pattern().IsMatch(name);

    public static string Require(TaskContext context, string field, string value) =>
        IsValid(value) ? value : throw context.ArgError(field, $"is '{value}', which is not a valid name (1-128 letters, digits, '_', '-', '.', not starting with '.' or '-')");

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial Regex Pattern();
}
