using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Cli.Hosting;
using Orchestrator.Storage.Records;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>experiments list|runs</c>: experiment tracking in the metadata store (every <c>ml.train</c> is a run).
/// Exit codes: 0 done, 1 unknown experiment, 2 bad arguments.
/// JSON shapes (<c>--output json</c>, camelCase, times ISO 8601):
/// <list type="bullet">
/// <item><c>list</c>: <c>[{id, name, createdAt, tags{}}]</c>, oldest first (ids are "1", "2", …)</item>
/// <item><c>runs</c>: <c>[{runId, experimentId, name, status, startedAt, endedAt, createdBy{dagId, runId, taskId, tryNumber},
/// params{}, tags{}, metrics{key: last value}, metricHistory[{key, value, step, at}], datasets[{digest, context}],
/// artifacts[{path, digest, sizeBytes}]}]</c>, newest first; status is MLflow's (RUNNING, FINISHED, FAILED, KILLED);
/// a metric's last value is the one with the highest step (then the latest time); NaN is written as "NaN"</item>
/// </list></summary>
internal static class ExperimentsCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("experiments", "Experiments and their tracked runs (params, metrics, datasets, artifacts).");
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Runs(console));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "List experiments.");
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var store = await MetadataStores.OpenAsync(parse, cancellationToken);
            var experiments = await store.Tracking.ListExperimentsAsync(cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(experiments.Select(experiment => new
                {
                    id = experiment.Id,
                    name = experiment.Name,
                    createdAt = experiment.CreatedAt,
                    tags = experiment.Tags,
                }), MlJson.Options));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{experiments.Count} experiment(s)");
            table.AddColumns("id", "name", "created");
            foreach (var experiment in experiments)
            {
                table.AddRow(Markup.Escape(experiment.Id), Markup.Escape(experiment.Name), $"{experiment.CreatedAt:u}");
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Runs(CliConsole console)
    {
        var experimentArgument = new Argument<string>("experiment") { Description = "The experiment's id or name (see `experiments list`)." };
        var command = new Command("runs", "List an experiment's runs, newest first, with their params and latest metrics.");
        command.Arguments.Add(experimentArgument);
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var idOrName = parse.GetValue(experimentArgument)!;
            if (string.IsNullOrWhiteSpace(idOrName))
            {
                return await MlCli.FailAsync(console, ModelsCommand.BadInput, "the experiment's id or name is empty");
            }

            await using var store = await MetadataStores.OpenAsync(parse, cancellationToken);
            if (await store.Tracking.FindExperimentAsync(idOrName, cancellationToken) is not { } experiment)
            {
                return await MlCli.FailAsync(console, ModelsCommand.Unknown, $"no experiment with id or name '{idOrName}' (see `experiments list`)");
            }

            var runs = await store.Tracking.ListRunsAsync(experiment.Id, cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(runs.Select(run => new
                {
                    runId = run.RunId,
                    experimentId = run.ExperimentId,
                    name = run.Name,
                    status = Status(run.Status),
                    startedAt = run.StartedAt,
                    endedAt = run.EndedAt,
                    createdBy = MlJson.Lineage(run.CreatedBy),
                    @params = run.Params,
                    tags = run.Tags,
                    metrics = LastValues(run.Metrics),
                    metricHistory = run.Metrics.Select(point => new { key = point.Key, value = point.Value, step = point.Step, at = point.At }),
                    datasets = run.Datasets.Select(input => new { digest = input.Digest, context = input.Context }),
                    artifacts = run.Artifacts.Select(artifact => new { path = artifact.Path, digest = artifact.Digest, sizeBytes = artifact.SizeBytes }),
                }), MlJson.Options));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(experiment.Name)} (id {Markup.Escape(experiment.Id)}): {runs.Count} run(s)");
            // The run id stays on one line (it is copied into other commands); params and metrics go one per line so a
            // narrow terminal wraps them between values, not inside them. Everything is in --output json.
            table.AddColumn(new TableColumn("run id").NoWrap());
            table.AddColumns("name", "status", "started", "duration", "DAG run / task", "params", "metrics");
            foreach (var run in runs)
            {
                table.AddRow(
                    run.RunId, Markup.Escape(run.Name), Status(run.Status), $"{run.StartedAt:u}",
                    run.EndedAt is { } ended ? (ended - run.StartedAt).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "-",
                    Markup.Escape(MlCli.Describe(run.CreatedBy)),
                    Markup.Escape(string.Join("\n", run.Params.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"))),
                    Markup.Escape(string.Join("\n", LastValues(run.Metrics).Select(pair => $"{pair.Key}={pair.Value.ToString("G4", CultureInfo.InvariantCulture)}"))));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static string Status(TrackingRunStatus status) => status.ToString().ToUpperInvariant();

    /// <summary>Each metric's latest value: the store orders a metric's points by step then time, so the last wins.</summary>
    private static SortedDictionary<string, double> LastValues(IReadOnlyList<MetricPoint> metrics)
    {
        var last = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var point in metrics)
        {
            last[point.Key] = point.Value;
        }

        return last;
    }
}
