using System.Text.Json;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Secrets;

/// <summary>Gives each try the Variables and Connections its templates may read, and the masker that hides every
/// secret the try could show back: those values, and the run's params whose names look sensitive.</summary>
public interface ITrySecretsSource
{
    Task<TrySecrets> ForTryAsync(TaskDefinition task, IReadOnlyDictionary<string, JsonElement> parameters, CancellationToken cancellationToken);
}

/// <summary>One try's secret values and its masker.</summary>
public sealed record TrySecrets(ISecretValues Values, ISecretMasker Masker)
{
    public static TrySecrets None { get; } = new(NoSecretValues.Instance, NoSecretMasker.Instance);
}
