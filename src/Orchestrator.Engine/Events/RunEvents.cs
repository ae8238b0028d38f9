using System.Globalization;
using System.Text.Json;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Events;

/// <summary>The events a run emits. A run's success is a <c>dagSucceeded</c> event, recorded in the transaction that
/// ends the run; its payload (the conf of the runs it triggers) says which run succeeded.</summary>
public static class RunEvents
{
    public static NewEvent Succeeded(DagRunRecord run, DateTimeOffset endedAt)
    {
        ArgumentNullException.ThrowIfNull(run);
        var payload = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["event"] = EventKinds.DagSucceeded,
            ["dagId"] = run.DagId.Value,
            ["runId"] = run.RunId.Value,
            ["logicalDate"] = run.LogicalDate.ToString("O", CultureInfo.InvariantCulture),
            ["endedAt"] = endedAt.ToString("O", CultureInfo.InvariantCulture),
        });
        // A cleared run that succeeds again is a new success: the end time is part of the key.
        var key = $"dagSucceeded:{run.RunId.Value}:{endedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}";
        return new NewEvent(EventKinds.DagSucceeded, run.DagId.Value, payload, key, endedAt)
        {
            SourceDagId = run.DagId.Value,
            SourceRunId = run.RunId.Value,
        };
    }
}
