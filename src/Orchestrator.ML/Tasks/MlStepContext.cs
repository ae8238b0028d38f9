using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tasks;

/// <summary>What an ml.* step sees of its try: who it is (for lineage), its rendered args, its direct upstream tasks and
/// the run's finished outputs, where relative paths start, a logger whose lines are the try's log, and the clock.</summary>
public sealed record MlStepContext(
    string DagId,
    string RunId,
    string TaskId,
    int TryNumber,
    string TaskType,
    string DagFolder,
    MlArgs Args,
    IReadOnlyList<string> Upstream,
    IReadOnlyDictionary<string, JsonElement> Outputs,
    ILogger Logger,
    TimeProvider Time)
{
    public RunLineage Lineage => new(DagId, RunId, TaskId, TryNumber);

    /// <summary>How this try signs what it changes (an alias move, a tag): <c>dag:DAG/RUN/TASK#TRY</c>.</summary>
    public string Actor => $"dag:{DagId}/{RunId}/{TaskId}#{TryNumber}";

    /// <summary>A path arg resolved against the DAG file's folder.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(DagFolder, path));

    /// <summary>The outputs of the direct upstream tasks that are of <paramref name="kind"/>, in dependsOn order.</summary>
    public IReadOnlyList<(string TaskId, T Output)> UpstreamOutputs<T>(string kind)
        where T : class =>
        [.. Upstream
            .Where(Outputs.ContainsKey)
            .Select(task => (task, MlJson.As<T>(Outputs[task], kind)))
            .Where(pair => pair.Item2 is not null)
            .Select(pair => (pair.task, pair.Item2!))];

    /// <summary>The output of the task an arg names (e.g. <c>dataset: "ingest"</c>), which must be of
    /// <paramref name="kind"/> and already finished in this run.</summary>
    public T OutputOfTask<T>(string argName, string taskId, string kind)
        where T : class
    {
        if (!Outputs.TryGetValue(taskId, out var output))
        {
            throw new MlTaskException($"args.{argName}: task '{taskId}' has no output in this run (is it upstream of '{TaskId}', and did it succeed?)");
        }

        return MlJson.As<T>(output, kind)
            ?? throw new MlTaskException($"args.{argName}: task '{taskId}' did not produce a {kind} (expected an ml task that does)");
    }
}

/// <summary>An ml.* try that failed for a reason to show as is (bad args, missing upstream output, bad data).</summary>
public sealed class MlTaskException : Exception
{
    public MlTaskException(string message)
        : base(message)
    {
    }

    public MlTaskException()
    {
    }

    public MlTaskException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
