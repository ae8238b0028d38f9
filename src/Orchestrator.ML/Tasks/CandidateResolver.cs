namespace Orchestrator.ML.Tasks;

/// <summary>Finds the model a register step should register: the candidate a gate blessed, else the one an evaluation
/// chose, else the single model trained upstream. Two possible answers are an error, never a guess.</summary>
internal static class CandidateResolver
{
    public static (ModelOutput Model, IReadOnlyDictionary<string, double> Metrics, string From) Resolve(MlStepContext context)
    {
        var blessings = context.UpstreamOutputs<BlessingOutput>(MlOutputKinds.Blessing);
        var evaluations = context.UpstreamOutputs<EvaluationOutput>(MlOutputKinds.Evaluation);
        var models = context.UpstreamOutputs<ModelOutput>(MlOutputKinds.Model);
        var found = blessings.Select(b => (b.Output.Candidate, b.Output.Metrics, $"blessed by '{b.TaskId}'"))
            .Concat(evaluations.Select(e => (e.Output.ChosenModel, e.Output.Chosen.Metrics, $"chosen by '{e.TaskId}'")))
            .Concat(models.Select(m => (m.Output, m.Output.Metrics, $"trained by '{m.TaskId}'")))
            .ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new MlTaskException(
                $"{context.TaskType} '{context.TaskId}' needs a model from a direct upstream ml.gate, ml.evaluate or ml.train task; its upstream ({Describe(context.Upstream)}) produced none"),
            _ => throw new MlTaskException(
                $"{context.TaskType} '{context.TaskId}' has {found.Count} upstream models ({string.Join(", ", found.Select(f => f.Item3))}); put an ml.evaluate/ml.gate before it to choose one"),
        };
    }

    private static string Describe(IReadOnlyList<string> upstream) => upstream.Count == 0 ? "none" : string.Join(", ", upstream);
}
