using Orchestrator.Core.Durations;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Templating;

namespace Orchestrator.Core.Validation;

/// <summary>Checks a whole DAG and reports every problem with the file, line and field it comes from:
/// the graph (duplicates, self-dependencies, unknown dependencies, cycles), the schedule and time zone,
/// task types, retry and timeout settings, and templates that name unknown tasks or fields.</summary>
public static class DagValidator
{
    public static DagValidationResult Validate(DagDefinition dag, DagValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dag);
        options ??= new DagValidationOptions();
        var errors = new List<DagError>();

        CheckDagSettings(dag, errors);
        if (dag.Tasks.Count == 0)
        {
            errors.Add(new DagError(dag.Location.WithField("tasks"), "a DAG needs at least one task"));
        }

        for (var i = 0; i < dag.Tasks.Count; i++)
        {
            CheckTask(dag.Tasks[i], i, options, errors);
        }

        var graphResult = DagGraph.Build(dag.Tasks);
        foreach (var error in graphResult.Errors)
        {
            var task = dag.Tasks[error.Task];
            var field = error.Dependency >= 0 ? $"tasks[{error.Task}].dependsOn[{error.Dependency}]" : $"tasks[{error.Task}]";
            errors.Add(new DagError(task.Location.WithField(field), error.Message));
        }

        if (graphResult.Graph is { } graph)
        {
            CheckTemplates(dag, graph, errors);
        }

        return errors.Count == 0
            ? new DagValidationResult(dag, graphResult.Graph, errors)
            : new DagValidationResult(null, null, errors);
    }

    private static void CheckDagSettings(DagDefinition dag, List<DagError> errors)
    {
        if (dag.Schedule is { } schedule && !CronSchedule.TryParse(schedule, out _, out var cronError))
        {
            errors.Add(new DagError(dag.Location.WithField("schedule"), $"invalid schedule '{schedule}': {cronError}"));
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(dag.TimeZone, out _))
        {
            errors.Add(new DagError(dag.Location.WithField("timezone"),
                $"unknown time zone '{dag.TimeZone}'; expected an IANA id such as \"UTC\" or \"Europe/Paris\""));
        }

        if (dag.MaxActiveRuns < 1)
        {
            errors.Add(new DagError(dag.Location.WithField("maxActiveRuns"), $"maxActiveRuns must be at least 1, not {dag.MaxActiveRuns}"));
        }
    }

    private static void CheckTask(TaskDefinition task, int index, DagValidationOptions options, List<DagError> errors)
    {
        var at = task.Location;
        var field = $"tasks[{index}]";
        if (task.Type == TaskDefinition.CSharpTaskType ? task.Implementation is null
            : options.KnownTaskTypes is { } known && !known.Contains(task.Type))
        {
            var suggestion = options.KnownTaskTypes is { } types && EditDistance.Closest(task.Type, types) is { } close
                ? $"; did you mean '{close}'?"
                : "";
            var list = options.KnownTaskTypes is { } all ? $" (known: {string.Join(", ", all.Order(StringComparer.Ordinal))})" : "";
            errors.Add(new DagError(at.WithField($"{field}.type"), $"task '{task.Id}' has unknown type '{task.Type}'{suggestion}{list}"));
        }

        var retry = task.Retry;
        if (retry.Retries < 0)
        {
            errors.Add(new DagError(at.WithField($"{field}.retries"), $"task '{task.Id}': retries must be 0 or more, not {retry.Retries}"));
        }

        if (retry.Delay < TimeSpan.Zero)
        {
            errors.Add(new DagError(at.WithField($"{field}.retryDelay"), $"task '{task.Id}': retryDelay must not be negative"));
        }

        if (retry.MaxDelay is { } max && max < retry.Delay)
        {
            errors.Add(new DagError(at.WithField($"{field}.maxRetryDelay"),
                $"task '{task.Id}': maxRetryDelay {DurationParser.Format(max)} is shorter than retryDelay {DurationParser.Format(retry.Delay)}"));
        }

        if (task.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add(new DagError(at.WithField($"{field}.timeout"), $"task '{task.Id}': timeout must be longer than zero"));
        }

        if (!TaskDefinition.IsValidQueueName(task.Queue))
        {
            errors.Add(new DagError(at.WithField($"{field}.queue"),
                $"task '{task.Id}': queue '{task.Queue}' must be 1-64 lowercase letters, digits, '_' or '-' (workers subscribe to queues by these names)"));
        }
    }

    private static void CheckTemplates(DagDefinition dag, DagGraph graph, List<DagError> errors)
    {
        for (var i = 0; i < dag.Tasks.Count; i++)
        {
            var task = dag.Tasks[i];
            foreach (var (path, text) in TemplateRenderer.Strings(task.Args))
            {
                var problems = new List<string>();
                if (task.Type == "shell" && path == "args.command")
                {
                    ShellTemplate.Check(text, problems); // where each template sits decides how it can be made safe
                }

                foreach (var expression in TemplateParser.Parse(text, problems))
                {
                    if (expression.Root != TemplateRoot.Outputs)
                    {
                        continue;
                    }

                    if (!IdentifierRules.IsValid(expression.Name) || !graph.TryGetIndex(new TaskId(expression.Name), out var source))
                    {
                        problems.Add($"{expression} names unknown task '{expression.Name}'");
                    }
                    else if (!graph.IsAncestor(source, i))
                    {
                        problems.Add($"{expression}: task '{expression.Name}' is not upstream of '{task.Id}', so its output may not exist yet; add it to dependsOn");
                    }
                }

                errors.AddRange(problems.Select(problem => new DagError(task.Location.WithField($"tasks[{i}].{path}"), problem)));
            }
        }
    }
}
