using Orchestrator.Core.Authoring;
using Orchestrator.Execution.TaskTypes;

namespace Orchestrator.ML.Tasks;

/// <summary>Finds the model a register task registers: the candidate a gate blessed, else the one an evaluation chose,
/// else the single model trained upstream. Two possible answers are an error, never a guess.</summary>
internal static class CandidateResolver
{
    public static (ModelOutput Model, IReadOnlyDictionary<string, double> Metrics, string From) Resolve(TaskContext context)
    {
        var found = context.UpstreamOutputs<BlessingOutput>(MlOutputKinds.Blessing)
                .Select(b => (b.Output.Candidate, b.Output.Metrics, $"blessed by '{b.TaskId}'"))
            .Concat(context.UpstreamOutputs<EvaluationOutput>(MlOutputKinds.Evaluation)
                .Select(e => (e.Output.ChosenModel, e.Output.Chosen.Metrics, $"chosen by '{e.TaskId}'")))
            .Concat(context.UpstreamOutputs<ModelOutput>(MlOutputKinds.Model)
                .Select(m => (m.Output, m.Output.Metrics, $"trained by '{m.TaskId}'")))
            .ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new TaskFailedException(
                $"task '{context.TaskId}' ({context.Task.Type}) needs a model from a direct upstream ml.gate, ml.evaluate or ml.train task; its upstream ({(context.Task.DependsOn.Count == 0 ? "none" : string.Join(", ", context.Task.DependsOn))}) produced none"),
            _ => throw new TaskFailedException(
                $"task '{context.TaskId}' ({context.Task.Type}) has {found.Count} upstream models ({string.Join(", ", found.Select(f => f.Item3))}); put an ml.evaluate or ml.gate before it to choose one"),
        };
    }
}
