using Orchestrator.Core.Model;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;

namespace Orchestrator.Application.Runs;

/// <summary>Triggers a manual run of the DAG's latest recorded version; a running engine on the store starts it (at
/// once when it runs in this process). The actor is not stored with the run (the runs table has no column for it).</summary>
internal sealed class RunCommands(IMetadataStore store, DagVersionSource versions, TimeProvider time, SensitiveNames sensitive) : IRunCommands
{
    public async Task<RunId> TriggerAsync(DagId dagId, string? confJson, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var record = await store.Dags.GetAsync(dagId, cancellationToken)
            ?? throw ApplicationProblemException.NotFound($"no DAG '{dagId}' in the metadata store");
        var dag = await versions.GetAsync(dagId, record.LatestVersion, cancellationToken)
            ?? throw ApplicationProblemException.Conflict($"the latest version of {dagId} ({record.LatestVersion[..Math.Min(12, record.LatestVersion.Length)]}) cannot be loaded from its stored source");
        var conf = ConfValidation.Normalize(confJson, dag.Definition.Params, sensitive);
        var (runId, _) = await new RunFactory(store, time).CreateManualAsync(dag, conf, cancellationToken);
        // This process's engine starts it now rather than at its next look; without one, a cluster's scheduler is woken.
        _ = Engine.Hosting.EmbeddedEngine.WakePickupAsync(versions.Engine, store);
        return runId;
    }
}
