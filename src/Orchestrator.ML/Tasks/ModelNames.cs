using System.Text.RegularExpressions;
using Orchestrator.Core.Authoring;

namespace Orchestrator.ML.Tasks;

/// <summary>Registered model and alias names: what appears in a serving URL, so letters, digits, '_', '-' and '.'.</summary>
public static partial class ModelNames
{
    public static bool IsValid(string? name) => name is { Length: > 0 and <= 128 } && Pattern().IsMatch(name);

    public static string Require(TaskContext context, string field, string value) =>
        IsValid(value) ? value : throw context.ArgError(field, $"is '{value}', which is not a valid name (1-128 letters, digits, '_', '-', '.', not starting with '.' or '-')");

    /// <summary>Why a monitoring task has nothing to look at: the model has no version under the alias yet, or the
    /// registry does not hold it at all (naming those it holds, so a misspelt name shows in the skip reason).</summary>
    public static async Task<TaskSkippedException> NothingDeployedAsync(Storage.IMetadataStore store, string model, string alias, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await store.Models.GetModelAsync(model, cancellationToken) is not null)
        {
            return new TaskSkippedException($"model '{model}' has no '{alias}' version yet: {what}");
        }

        var known = (await store.Models.ListModelsAsync(cancellationToken)).Select(m => m.Name).Order(StringComparer.Ordinal).Take(10).ToList();
        return new TaskSkippedException($"model '{model}' is not registered ({(known.Count == 0 ? "no model is yet" : "registered: " + string.Join(", ", known))}): {what}");
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial Regex Pattern();
}
