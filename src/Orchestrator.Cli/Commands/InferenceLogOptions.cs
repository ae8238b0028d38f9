using System.CommandLine;
using System.Globalization;
using Orchestrator.Core.Durations;
using Orchestrator.Serving;

namespace Orchestrator.Cli.Commands;

/// <summary><c>standalone</c>'s inference log settings: each an option whose default comes from an environment
/// variable, else the serving default (sample every request, keep 7 days and 1,000,000 rows per model).</summary>
internal sealed class InferenceLogOptions
{
    public const string SamplingVariable = "ORCHESTRATOR_INFERENCE_SAMPLING";
    public const string MaxAgeVariable = "ORCHESTRATOR_INFERENCE_MAX_AGE";
    public const string MaxRowsVariable = "ORCHESTRATOR_INFERENCE_MAX_ROWS";

    private readonly Option<string> _sampling = new("--inference-sampling")
    {
        Description = $"Share of model-serving requests whose rows the inference log keeps, 0 to 1; 0 turns it off (default ${SamplingVariable}, else 1).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(SamplingVariable) is { Length: > 0 } value ? value : "1",
    };

    private readonly Option<string> _maxAge = new("--inference-max-age")
    {
        Description = $"Logged inference rows older than this are deleted, e.g. 7d, 12h, PT36H (default ${MaxAgeVariable}, else 7d).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(MaxAgeVariable) is { Length: > 0 } value ? value : "7d",
    };

    private readonly Option<string> _maxRows = new("--inference-max-rows")
    {
        Description = $"Logged inference rows kept per model, the newest (default ${MaxRowsVariable}, else 1000000).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(MaxRowsVariable) is { Length: > 0 } value ? value : "1000000",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_sampling);
        command.Options.Add(_maxAge);
        command.Options.Add(_maxRows);
    }

    /// <summary>The serving options the command line asks for, or the error naming the option and what it expects.</summary>
    public (Action<ModelServingOptions>? Configure, string? Error) Read(ParseResult parse)
    {
        var samplingText = parse.GetValue(_sampling)!;
        if (!double.TryParse(samplingText, NumberStyles.Float, CultureInfo.InvariantCulture, out var sampling) || double.IsNaN(sampling) || sampling is < 0 or > 1)
        {
            return (null, $"--inference-sampling / ${SamplingVariable} '{samplingText}' must be a share from 0 to 1, such as 1, 0.1 or 0");
        }

        var maxAgeText = parse.GetValue(_maxAge)!;
        if (!DurationParser.TryParse(maxAgeText, out var maxAge) || maxAge <= TimeSpan.Zero)
        {
            return (null, $"--inference-max-age / ${MaxAgeVariable} '{maxAgeText}' must be a positive duration such as 7d, 12h or PT36H");
        }

        var maxRowsText = parse.GetValue(_maxRows)!;
        if (!int.TryParse(maxRowsText, NumberStyles.None, CultureInfo.InvariantCulture, out var maxRows) || maxRows <= 0)
        {
            return (null, $"--inference-max-rows / ${MaxRowsVariable} '{maxRowsText}' must be a whole number of rows above 0, such as 1000000");
        }

        return (options =>
        {
            options.InferenceLogSampling = sampling;
            options.InferenceLogMaxAge = maxAge;
            options.InferenceLogMaxRowsPerModel = maxRows;
        }, null);
    }
}
