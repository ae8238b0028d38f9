using Microsoft.Extensions.Logging;
using Orchestrator.Engine.Runs;
using Orchestrator.Execution.Shell;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Workers;

/// <summary>Stops the process group a lost try recorded (SIGTERM, a grace, SIGKILL), so its retry never runs beside
/// it: after <c>kill -9</c> of the engine, a task started with <c>setsid</c> lives on until someone kills it.</summary>
public sealed class RecordedProcessCleaner(IMetadataStore store, TimeSpan grace, ILogger logger) : ILostTryCleaner
{
    public async Task<bool> StopAsync(TaskInstanceRecord lostTry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lostTry);
        var tries = await store.TaskInstances.ListTriesAsync(lostTry.RunId, lostTry.TaskId, cancellationToken);
        if (tries.FirstOrDefault(t => t.TryNumber == lostTry.TryNumber)?.Process is not { } process)
        {
            return true; // no process recorded: an in-process task, or the engine died before the process started
        }

        var stop = await ProcessGroup.KillRecordedAsync(process, grace, cancellationToken);
        logger.LogInformation("Run {RunId}: lost try {Try} of {TaskId}: {What}", lostTry.RunId, lostTry.TryNumber, lostTry.TaskId, stop.Description);
        return stop.Outcome switch
        {
            RecordedGroupOutcome.NotStopped => false,
            // A try recorded on another host cannot be reached from here. The embedded engine runs on one host; a home
            // moved to another machine leaves nothing running behind on this one.
            _ => true,
        };
    }
}
