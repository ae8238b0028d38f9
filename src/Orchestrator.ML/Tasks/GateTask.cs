using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Gating;
using Orchestrator.Storage;

namespace Orchestrator.ML.Tasks;

/// <summary><c>ml.gate {metric, direction?, min?, max?, minChange?}</c> or <c>{policies: [{…}, …]}</c>: TFX-style
/// blessing of the candidate the upstream ml.evaluate chose, against bounds and against the baseline. A blessed
/// candidate is handed on; a rejected one is recorded as not blessed (tags on its tracking run) and the gate ends
/// <c>skipped</c> with the reasons, so the register and deploy after it are skipped and production is untouched.</summary>
public sealed class GateTask(IMetadataStore store) : ITaskExecutor
{
    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        context.RequireKnownArgs("metric", "direction", "min", "max", "minChange", "policies");
        var evaluation = context.UpstreamOutputs<EvaluationOutput>(MlOutputKinds.Evaluation) switch
        {
            [var single] => single.Output,
            [] => throw new TaskFailedException($"task '{context.TaskId}' (ml.gate) needs a direct upstream ml.evaluate task"),
            var several => throw new TaskFailedException($"task '{context.TaskId}' (ml.gate) has {several.Count} upstream evaluations; gate one"),
        };
        var policies = Policies(context);
        var candidateMetrics = evaluation.Chosen.Metrics;
        foreach (var (policy, field) in policies)
        {
            // A metric the task does not produce is a mistake in the DAG, not a rejection of the model.
            if (!candidateMetrics.ContainsKey(policy.Metric))
            {
                throw context.ArgError(field + "metric", $"is '{policy.Metric}', which the evaluation does not give for this {evaluation.ChosenModel.Task} model; it gives {string.Join(", ", candidateMetrics.Keys)}");
            }

            if (policy.MinChange is not null && evaluation.Baseline is null)
            {
                throw context.ArgError(field + "minChange", "compares with the production model, but the upstream ml.evaluate names none: set its args.model");
            }
        }

        GateDecision decision;
        try
        {
            decision = Decide([.. policies.Select(p => p.Policy)], evaluation);
        }
        catch (ArgumentException bad)
        {
            throw context.ArgError("metric", bad.Message);
        }

        foreach (var reason in decision.Reasons)
        {
            context.Logger.LogInformation("{Verdict}: {Reason}", decision.Blessed ? "pass" : "FAIL", reason);
        }

        await store.Tracking.SetTagsAsync(evaluation.Chosen.TrackingRunId, new Dictionary<string, string?>
        {
            ["orchestrator.blessed"] = decision.Blessed ? "true" : "false",
            ["orchestrator.blessing.reasons"] = string.Join("; ", decision.Reasons),
            ["orchestrator.blessing.by"] = context.Actor(),
        }, cancellationToken);

        if (!decision.Blessed)
        {
            throw new TaskSkippedException($"candidate from '{evaluation.Chosen.TrainedBy}' not blessed: {string.Join("; ", decision.Reasons)}");
        }

        return MlJson.ToElement(new BlessingOutput(MlOutputKinds.Blessing, true, decision.Reasons, evaluation.ChosenModel, evaluation.Baseline, evaluation.Chosen.Metrics));
    }

    /// <summary>A change check passes without a baseline only when none is deployed yet (a first model, as TFX does). A
    /// baseline that is deployed but could not be scored on these rows (another label, columns the rows lack) fails it:
    /// otherwise a schema change would slip past "no worse than production".</summary>
    private static GateDecision Decide(IReadOnlyList<GatePolicy> policies, EvaluationOutput evaluation)
    {
        var baseline = evaluation.Baseline;
        if (baseline is { Version: not null, Metrics: null } && policies.Any(p => p.MinChange is not null))
        {
            return new GateDecision(false,
                [$"the production model ({baseline.Model} version {baseline.Version}) could not be scored on these rows ({baseline.Unavailable}), so the change check cannot pass"],
                []);
        }

        return Gate.Decide(policies, evaluation.Chosen.Metrics, baseline?.Metrics,
            baseline is null ? "no baseline model was named" : baseline.Unavailable);
    }

    private static List<(GatePolicy Policy, string Field)> Policies(TaskContext context)
    {
        var args = context.Args;
        if (args.GetArray("policies") is not { } list)
        {
            return [(Policy(context, args, ""), "")];
        }

        if (args.Has("metric") || args.Has("min") || args.Has("max") || args.Has("minChange") || args.Has("direction"))
        {
            throw context.ArgError("policies", "is given with a top-level metric/min/max/minChange/direction: give one policy at the top level, or all of them in policies, not both");
        }

        var policies = new List<(GatePolicy, string)>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var prefix = $"policies[{index}].";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw context.ArgError($"policies[{index}]", "must be an object such as {\"metric\": \"r2\", \"min\": 0.7}");
            }

            context.RequireKnownFields(item, prefix, PolicyFields);
            policies.Add((Policy(context, new TaskArgs(item, context.TaskId, context.DagFolder), prefix), prefix));
            index++;
        }

        return policies.Count > 0 ? policies : throw context.ArgError("policies", "is empty; give at least one policy");
    }

    private static readonly string[] PolicyFields = ["metric", "direction", "min", "max", "minChange"];

    private static GatePolicy Policy(TaskContext context, TaskArgs args, string prefix)
    {
        try
        {
            var direction = args.GetString("direction") is { } text ? GatePolicy.ParseDirection(text) : (GateDirection?)null;
            var policy = new GatePolicy(args.RequireString("metric"), direction, args.GetNumber("min"), args.GetNumber("max"), args.GetNumber("minChange"));
            policy.Validate();
            if (policy.Min is null && policy.Max is null && policy.MinChange is null)
            {
                throw new ArgumentException($"metric '{policy.Metric}' has no min, max or minChange: nothing to check");
            }

            return policy;
        }
        catch (ArgumentException bad)
        {
            throw context.ArgError($"{prefix}metric", bad.Message);
        }
    }
}
