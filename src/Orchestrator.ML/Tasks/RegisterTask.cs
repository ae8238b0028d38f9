using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Models;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tasks;

/// <summary><c>ml.register {model, description?, tags?}</c>: registers the upstream candidate as the model's next
/// version with its lineage (run, try, dataset, tracking run, params, metrics, artifact). One store transaction,
/// idempotent per run and task: a retried or resumed register returns the version its earlier try registered.</summary>
public sealed class RegisterTask(IMetadataStore store, IArtifactStore artifacts, IModelPackageReader packages) : ITaskExecutor
{
    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        context.RequireKnownArgs("model", "description", "tags");
        var args = context.Args;
        var name = ModelNames.Require(context, "model", args.RequireString("model"));
        var (candidate, metrics, from) = CandidateResolver.Resolve(context);

        var signature = await ReadSignatureAsync(candidate.Artifact, cancellationToken);
        var tracking = await store.Tracking.GetRunAsync(candidate.TrackingRunId, cancellationToken);
        var version = new NewModelVersion(
            name,
            candidate.Artifact,
            ModelSignatureJson.ToJson(signature),
            candidate.Dataset,
            candidate.TrackingRunId,
            JsonSerializer.Serialize(tracking?.Params ?? new Dictionary<string, string>(), MlJson.Options),
            JsonSerializer.Serialize(metrics, MlJson.Options),
            context.Lineage(),
            args.GetString("description"),
            Tags(args));

        var (registered, created) = await store.Models.RegisterVersionAsync(version, context.Time.GetUtcNow(), cancellationToken);
        if (created)
        {
            await store.Tracking.SetTagsAsync(candidate.TrackingRunId, new Dictionary<string, string?>
            {
                ["orchestrator.registeredModel"] = $"{name}/{registered.Version}",
            }, cancellationToken);
            context.Logger.LogInformation("Registered {Model} version {Version} ({From}, artifact {Artifact})", name, registered.Version, from, candidate.Artifact[..12]);
        }
        else
        {
            context.Logger.LogInformation("{Model} version {Version} was registered by an earlier try of this task ({From})", name, registered.Version, from);
        }

        return MlJson.ToElement(new ModelVersionOutput(MlOutputKinds.ModelVersion, name, registered.Version, registered.ArtifactDigest, created));
    }

    private async Task<ModelSignature> ReadSignatureAsync(string digest, CancellationToken cancellationToken)
    {
        var path = await artifacts.GetLocalPathAsync(digest, cancellationToken);
        using var model = packages.Read(path);
        return model.Signature;
    }

    private static Dictionary<string, string>? Tags(TaskArgs args)
    {
        if (args.GetObject("tags") is not { } tags)
        {
            return null;
        }

        return tags.EnumerateObject().ToDictionary(
            tag => tag.Name,
            tag => tag.Value.ValueKind == JsonValueKind.String ? tag.Value.GetString()! : tag.Value.GetRawText(),
            StringComparer.Ordinal);
    }
}
