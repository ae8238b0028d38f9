using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Secrets;
using Orchestrator.Core.Templating;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;

namespace Orchestrator.Secrets.Values;

/// <summary>Secrets for a try from the metadata store: a fresh masker knowing the run's sensitive params, and the
/// stored Variables and Connections — read only when the task's args refer to them, so most tries cost no query.
/// With no store (it could not be opened) there are no Variables or Connections, and params are still masked.</summary>
public sealed class StoreTrySecretsSource(IMetadataStore? store, SecretCipher cipher, SensitiveNames names) : ITrySecretsSource
{
    public async Task<TrySecrets> ForTryAsync(TaskDefinition task, IReadOnlyDictionary<string, JsonElement> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var masker = new SecretMasker();
        SensitiveConf.Register(parameters, masker, names);
        var values = store is not null && ReadsSecrets(task)
            ? await SecretValuesLoader.LoadAsync(store, cipher, masker, names, cancellationToken)
            : NoSecretValues.Instance;
        return new TrySecrets(values, masker);
    }

    private static bool ReadsSecrets(TaskDefinition task) =>
        TemplateRenderer.Strings(task.Args).Any(s => TemplateParser.ContainsTemplate(s.Text)
            && (s.Text.Contains("var.", StringComparison.Ordinal) || s.Text.Contains("conn.", StringComparison.Ordinal)));
}
