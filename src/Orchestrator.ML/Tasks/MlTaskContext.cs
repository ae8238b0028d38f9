using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tasks;

/// <summary>What the ml.* task types read from a try beyond its args: lineage for what they record, and the outputs of
/// the upstream tasks they build on.</summary>
public static class MlTaskContext
{
    /// <summary>The run and try that make a record.</summary>
    public static RunLineage Lineage(this TaskContext context) =>
        new(context.DagId.Value, context.RunId.Value, context.TaskId.Value, context.TryNumber);

    /// <summary>How a try signs what it changes (an alias move): <c>dag:DAG/RUN/TASK#TRY</c>.</summary>
    public static string Actor(this TaskContext context) =>
        $"dag:{context.DagId}/{context.RunId}/{context.TaskId}#{context.TryNumber}";

    /// <summary>The outputs of the direct upstream tasks that are of <paramref name="kind"/>, in dependsOn order.</summary>
    public static IReadOnlyList<(string TaskId, T Output)> UpstreamOutputs<T>(this TaskContext context, string kind)
        where T : class
    {
        var found = new List<(string, T)>();
        foreach (var upstream in context.Task.DependsOn)
        {
            if (context.Outputs.TryGetValue(upstream, out var output) && MlJson.As<T>(output, kind) is { } typed)
            {
                found.Add((upstream.Value, typed));
            }
        }

        return found;
    }

    /// <summary>The output of the task an arg names (e.g. <c>dataset: "ingest"</c>): finished in this run and of
    /// <paramref name="kind"/>.</summary>
    public static T OutputOfTask<T>(this TaskContext context, string argName, string taskId, string kind)
        where T : class
    {
        if (!IdentifierRules.IsValid(taskId) || !context.Outputs.TryGetValue(new TaskId(taskId), out var output))
        {
            throw context.ArgError(argName, $"names task '{taskId}', which has no output in this run (it must be upstream of '{context.TaskId}' and have succeeded)");
        }

        return MlJson.As<T>(output, kind)
            ?? throw context.ArgError(argName, $"names task '{taskId}', whose output is not a {kind}");
    }

    /// <summary>The one dataset a task works on: the task its <c>dataset</c> arg names, else its single direct upstream
    /// dataset (an ml.ingest, or an ml.validate passing one on).</summary>
    public static DatasetOutput Dataset(this TaskContext context, string argName = "dataset")
    {
        if (context.Args.GetString(argName) is { } named)
        {
            return context.OutputOfTask<DatasetOutput>(argName, named, MlOutputKinds.Dataset);
        }

        var upstream = context.UpstreamOutputs<DatasetOutput>(MlOutputKinds.Dataset);
        return upstream.Count switch
        {
            1 => upstream[0].Output,
            0 => throw new TaskFailedException(
                $"task '{context.TaskId}' ({context.Task.Type}) needs a dataset: name the ml.ingest task in args.{argName}, or depend directly on one (or on an ml.validate of one)"),
            _ => throw new TaskFailedException(
                $"task '{context.TaskId}' ({context.Task.Type}) has {upstream.Count} upstream datasets ({string.Join(", ", upstream.Select(u => u.TaskId))}); say which in args.{argName}"),
        };
    }

    /// <summary>Refuses args the task type does not take: a misspelt <c>alais</c> or <c>minChnage</c> would otherwise be
    /// ignored and the task would quietly do something else (move production, skip a check).</summary>
    public static void RequireKnownArgs(this TaskContext context, params string[] known) =>
        context.RequireKnownFields(context.Args.Json, "", known);

    /// <summary>The same for a nested object arg (<paramref name="prefix"/>: its path, e.g. <c>policies[0].</c>).</summary>
    public static void RequireKnownFields(this TaskContext context, JsonElement fields, string prefix, IReadOnlyCollection<string> known)
    {
        foreach (var field in fields.EnumerateObject())
        {
            if (!known.Contains(field.Name))
            {
                var hint = Core.Graph.EditDistance.Closest(field.Name, known) is { } close ? $"did you mean '{close}'? " : "";
                throw context.ArgError(prefix + field.Name, $"is not an argument of {context.Task.Type}; {hint}known: {string.Join(", ", known)}");
            }
        }
    }

    /// <summary>An error about one arg, in the form every task's arg errors take.</summary>
    public static TaskArgumentException ArgError(this TaskContext context, string field, string problem) =>
        new($"task '{context.TaskId}': args.{field} {problem}");

    public static JsonElement ToOutput<T>(T value) => MlJson.ToElement(value);
}
