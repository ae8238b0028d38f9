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
        var evaluation = context.UpstreamOutputs<EvaluationOutput>(MlOutputKinds.Evaluation) switch
        {
            [var single] => single.Output,
            [] => throw new TaskFailedException($"task '{context.TaskId}' (ml.gate) needs a direct upstream ml.evaluate task"),
            var several => throw new TaskFailedException($"task '{context.TaskId}' (ml.gate) has {several.Count} upstream evaluations; gate one"),
        };
        var policies = Policies(context);
        GateDecision decision;
        try
        {
            decision = Gate.Decide(policies, evaluation.Chosen.Metrics, evaluation.Baseline?.Metrics,
                evaluation.Baseline is null ? "no baseline model was named (args.model of ml.evaluate)" : evaluation.Baseline.Unavailable);
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

    private static List<GatePolicy> Policies(TaskContext context)
    {
        var args = context.Args;
        if (args.GetArray("policies") is not { } list)
        {
            return [Policy(context, args, "")];
        }

        var policies = new List<GatePolicy>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw context.ArgError($"policies[{index}]", "must be an object such as {\"metric\": \"r2\", \"min\": 0.7}");
            }

            policies.Add(Policy(context, new TaskArgs(item, context.TaskId, context.DagFolder), $"policies[{index}]."));
            index++;
        }

        return policies.Count > 0 ? policies : throw context.ArgError("policies", "is empty; give at least one policy");
    }

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
