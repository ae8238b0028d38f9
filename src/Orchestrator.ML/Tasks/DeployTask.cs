using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Models;
using Orchestrator.Storage;

namespace Orchestrator.ML.Tasks;

/// <summary><c>ml.deploy {model, alias?: "production", version?}</c>: moves the alias to the version registered upstream
/// (or the one <c>version</c> names), atomically with its history entry (who: this try; why: this run), then tells
/// the model servers in this process so they switch at once (servers elsewhere see it at their next refresh).</summary>
public sealed class DeployTask(IMetadataStore store, IModelDeploymentNotifier notifier) : ITaskExecutor
{
    public const string DefaultAlias = "production";

    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        context.RequireKnownArgs("model", "alias", "version");
        var args = context.Args;
        var name = ModelNames.Require(context, "model", args.RequireString("model"));
        var alias = ModelNames.Require(context, "alias", args.GetString("alias") ?? DefaultAlias);
        var version = args.GetInt("version") ?? UpstreamVersion(context, name);

        Storage.Records.AliasMoveRecord? move;
        try
        {
            move = await store.Models.SetAliasAsync(name, alias, version, context.Actor(),
                $"deployed by run {context.RunId} of {context.DagId}", context.Time.GetUtcNow(), cancellationToken);
        }
        catch (KeyNotFoundException missing)
        {
            throw new TaskFailedException($"task '{context.TaskId}' (ml.deploy): {missing.Message}");
        }

        await notifier.AliasMovedAsync(name, alias, cancellationToken);
        // From the move itself, read in its transaction: a racing deploy may have moved the alias since any earlier read.
        // Nothing moved: the alias already pointed at this version.
        var previous = move is null ? version : move.FromVersion;
        if (move is null)
        {
            context.Logger.LogInformation("{Model}@{Alias} already pointed at version {Version}; nothing moved", name, alias, version);
        }
        else
        {
            context.Logger.LogInformation("{Model}@{Alias} now points at version {Version} (was {Previous})", name, alias, version,
                previous?.ToString(CultureInfo.InvariantCulture) ?? "unset");
        }

        return MlJson.ToElement(new DeploymentOutput(MlOutputKinds.Deployment, name, alias, version, previous));
    }

    private static int UpstreamVersion(TaskContext context, string name)
    {
        var versions = context.UpstreamOutputs<ModelVersionOutput>(MlOutputKinds.ModelVersion);
        var matching = versions.Where(v => v.Output.Model == name).ToList();
        return matching.Count switch
        {
            1 => matching[0].Output.Version,
            0 when versions.Count > 0 => throw context.ArgError("model", $"is '{name}' but the upstream register task registered '{versions[0].Output.Model}'"),
            0 => throw new TaskFailedException($"task '{context.TaskId}' (ml.deploy) needs args.version or a direct upstream ml.register task"),
            _ => throw new TaskFailedException($"task '{context.TaskId}' (ml.deploy) has {matching.Count} upstream versions of '{name}'; give args.version"),
        };
    }
}
