// A C# DAG with a task class of its own: profiles the taxi-fare sample, checks it, and reports.
// Try it: dotnet run --project src/Orchestrator.Cli -- dags test taxi_fare_profile
using System.Globalization;

namespace Orchestrator.Examples;

public sealed class TaxiFareProfileDag : IDagDefinition
{
    public void Define(DagBuilder dag)
    {
        dag.Id("taxi_fare_profile")
            .Description("Profile the taxi-fare training sample and check it is fit to train on.")
            .Schedule("@daily")
            .Start("2026-01-01")
            .Tag("example")
            .Param("path", "data/taxi-fare/taxi-fare-train.csv")
            .Param("minRows", 1000);

        var profile = dag.Task<ProfileCsvTask>("profile")
            .WithArgs(new { path = "{{ params.path }}", label = "fare_amount" })
            .Retries(2, "1s")
            .Timeout("1m");

        var check = dag.Shell("check_rows", "test {{ outputs.profile.rows }} -ge {{ params.minRows }} && echo enough rows")
            .DependsOn(profile);

        check.Then(dag.Shell("report", "echo 'mean fare {{ outputs.profile.labelMean }} over {{ outputs.profile.rows }} trips'"));

        dag.Shell("alert", "echo 'taxi-fare profile failed in run {{ run.id }}' >&2")
            .DependsOn(profile, check)
            .TriggerRule(TriggerRule.OneFailed);
    }
}

/// <summary>Counts the rows of a CSV file and the mean of its label column. Its constructor takes what it needs from
/// the host's services (here the clock, to time the pass); what the try is about comes in the TaskContext.</summary>
public sealed class ProfileCsvTask(TimeProvider time) : IDagTask
{
    public async Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var path = context.Args.RequirePath("path");   // relative to this file's folder; missing → a clear error
        var label = context.Args.RequireString("label");
        context.Logger.LogInformation("Profiling {Path}", path);
        var started = time.GetTimestamp();

        using var reader = new StreamReader(path);
        var header = (await reader.ReadLineAsync(cancellationToken))?.Split(',') ?? throw new InvalidDataException($"{path} is empty");
        var labelIndex = Array.IndexOf(header, label);
        if (labelIndex < 0)
        {
            throw new InvalidDataException($"{path}: no column '{label}'; columns are {string.Join(", ", header)}");
        }

        long rows = 0;
        double sum = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            var fields = line.Split(',');
            sum += double.Parse(fields[labelIndex], CultureInfo.InvariantCulture);
            rows++;
        }

        context.Logger.LogInformation("{Rows} rows, {Columns} columns in {Elapsed}", rows, header.Length, time.GetElapsedTime(started));
        return new { rows, columns = header.Length, labelMean = Math.Round(sum / Math.Max(rows, 1), 3) };
    }
}
