using Microsoft.Extensions.Logging;
using Orchestrator.ML.Models;
using Orchestrator.Storage;

namespace Orchestrator.ML.Tasks;

/// <summary><c>ml.deploy {model, alias?: "production", version?}</c>: moves the alias to the version registered upstream
/// (or the one <c>version</c> names), atomically with its history entry, then tells the servers in this process so
/// they switch at once (servers elsewhere see it at their next refresh).</summary>
public sealed class DeployStep(IMetadataStore store, IModelDeploymentNotifier notifier)
{
    public const string DefaultAlias = "production";

    public async Task<DeploymentOutput> RunAsync(MlStepContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var name = ModelNames.Require(args, "model", args.RequiredString("model"));
        var alias = ModelNames.Require(args, "alias", args.String("alias") ?? DefaultAlias);
        var version = args.Integer("version") ?? UpstreamVersion(context, name);

        var current = await store.Models.GetByAliasAsync(name, alias, cancellationToken);
        try
        {
            var move = await store.Models.SetAliasAsync(name, alias, version, context.Actor,
                $"deployed by {context.DagId} run {context.RunId}", context.Time.GetUtcNow(), cancellationToken);
            var previous = move is null ? current?.Version : move.FromVersion;
            notifier.AliasMoved(name, alias);
            if (move is null)
            {
                context.Logger.LogInformation("{Model}@{Alias} already pointed at version {Version}; nothing moved", name, alias, version);
            }
            else
            {
                context.Logger.LogInformation("{Model}@{Alias} now points at version {Version} (was {Previous})", name, alias, version,
                    previous?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset");
            }

            return new DeploymentOutput(MlOutputKinds.Deployment, name, alias, version, previous);
        }
        catch (KeyNotFoundException missing)
        {
            throw new MlTaskException($"{context.TaskType} '{context.TaskId}': {missing.Message}");
        }
    }

    private static int UpstreamVersion(MlStepContext context, string name)
    {
        var versions = context.UpstreamOutputs<ModelVersionOutput>(MlOutputKinds.ModelVersion);
        var matching = versions.Where(v => v.Output.Model == name).ToList();
        return matching.Count switch
        {
            1 => matching[0].Output.Version,
            0 when versions.Count > 0 => throw context.Args.Error("model",
                $"is '{name}' but the upstream register task registered '{versions[0].Output.Model}'"),
            0 => throw new MlTaskException(
                $"{context.TaskType} '{context.TaskId}' needs args.version or a direct upstream ml.register task"),
            _ => throw new MlTaskException(
                $"{context.TaskType} '{context.TaskId}' has {matching.Count} upstream versions of '{name}'; give args.version"),
        };
    }
}
