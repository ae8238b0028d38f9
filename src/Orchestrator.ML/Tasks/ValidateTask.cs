using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Validation;

namespace Orchestrator.ML.Tasks;

/// <summary><c>ml.validate {dataset?: TASK_ID, reference?: TASK_ID, tolerances?: {missingShare?, range?, unseenShare?},
/// expectations?}</c>: checks a dataset's profile against a reference dataset's profile (within the tolerances) and/or
/// declared expectations. Passing hands the dataset on; any anomaly fails
/// the try with the whole report.</summary>
public sealed class ValidateTask(DatasetSources datasets) : ITaskExecutor
{
    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        context.RequireKnownArgs("dataset", "reference", "tolerances", "expectations");
        var dataset = context.Dataset();
        var args = context.Args;
        DatasetExpectations? expectations = null;
        if (args.GetObject("expectations") is { } declared)
        {
            try
            {
                expectations = DatasetExpectations.FromJson(declared.GetRawText());
            }
            catch (FormatException bad)
            {
                throw context.ArgError("expectations", bad.Message);
            }
        }

        var reference = args.GetString("reference") is { } referenceTask
            ? await datasets.ProfileAsync(context.OutputOfTask<DatasetOutput>("reference", referenceTask, MlOutputKinds.Dataset), cancellationToken)
            : null;
        if (expectations is null && reference is null)
        {
            throw context.ArgError("expectations", "or args.reference is required: what to validate the dataset against");
        }

        var profile = await datasets.ProfileAsync(dataset, cancellationToken);
        var report = DatasetValidator.Validate(profile, new ValidationRules { Reference = reference, Tolerances = Tolerances(context), Expectations = expectations });
        foreach (var line in report.ToText().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            context.Logger.LogInformation("{Line}", line);
        }

        if (!report.Passed)
        {
            throw new TaskFailedException($"dataset '{dataset.Name}' ({dataset.Dataset[..12]}) failed validation with {report.Anomalies.Count} anomalies:\n{report.ToText()}");
        }

        return MlJson.ToElement(dataset with { Validated = context.TaskId.Value });
    }

    /// <summary>How far the dataset may stray from the reference: extra missing share, range widening (a share of the
    /// reference's width: heavy-tailed columns such as fares need more than the default 0.1), unseen-category share.</summary>
    private static ReferenceTolerances Tolerances(TaskContext context)
    {
        var defaults = new ReferenceTolerances();
        if (context.Args.GetObject("tolerances") is not { } given)
        {
            return defaults;
        }

        var args = new TaskArgs(given, context.TaskId, context.DagFolder);
        context.RequireKnownFields(given, "tolerances.", ["missingShare", "range", "unseenShare"]);

        double Share(string name, double fallback) => args.GetNumber(name) switch
        {
            null => fallback,
            double value when value >= 0 && double.IsFinite(value) => value,
            double value => throw context.ArgError($"tolerances.{name}", $"must be a number ≥ 0, not {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"),
        };

        return new ReferenceTolerances(Share("missingShare", defaults.MissingShare), Share("range", defaults.Range), Share("unseenShare", defaults.UnseenShare));
    }
}
