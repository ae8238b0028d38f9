using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Validation;

namespace Orchestrator.ML.Tasks;

/// <summary><c>ml.validate {dataset?: TASK_ID, reference?: TASK_ID, expectations?}</c>: checks a dataset's profile
/// against a reference dataset's profile and/or declared expectations. Passing hands the dataset on; any anomaly fails
/// the try with the whole report.</summary>
public sealed class ValidateTask(DatasetSources datasets) : ITaskExecutor
{
    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
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
            ? await datasets.ProfileAsync(context.OutputOfTask<DatasetOutput>("reference", referenceTask, MlOutputKinds.Dataset).Dataset, cancellationToken)
            : null;
        if (expectations is null && reference is null)
        {
            throw context.ArgError("expectations", "or args.reference is required: what to validate the dataset against");
        }

        var profile = await datasets.ProfileAsync(dataset.Dataset, cancellationToken);
        var report = DatasetValidator.Validate(profile, new ValidationRules { Reference = reference, Expectations = expectations });
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
}
