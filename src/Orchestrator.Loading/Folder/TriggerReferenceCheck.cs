using System.Text.Json;
using Orchestrator.Core.Events;
using Orchestrator.Core.Model;

namespace Orchestrator.Loading.Folder;

/// <summary>Names known outside the folder: models registered and datasets recorded in the store.</summary>
public sealed record ExternalNames(IReadOnlySet<string> Models, IReadOnlySet<string> Datasets)
{
    public static ExternalNames None { get; } = new(new HashSet<string>(), new HashSet<string>());
}

/// <summary>A trigger that could never fire is an import error, not silence: a drift trigger naming a model that no
/// DAG of the folder registers (ml.register) and the store does not hold, a dataset trigger naming a dataset no
/// ml.ingest records, a dagSucceeded trigger naming a DAG that is not loaded, or dagSucceeded triggers that form a
/// cycle (each success would start the next run forever). A DAG with such a trigger does not load, like any DAG with
/// an error; dropping it may orphan another DAG's trigger, so the check repeats until nothing changes.</summary>
public static partial class TriggerReferenceCheck
{
    public static IReadOnlyList<ImportError> Apply(Dictionary<DagId, LoadedDag> dags, ExternalNames external)
    {
        ArgumentNullException.ThrowIfNull(dags);
        ArgumentNullException.ThrowIfNull(external);
        var errors = new List<ImportError>();
        while (true)
        {
            var found = FindErrors(dags, external);
            if (found.Count == 0)
            {
                return errors;
            }

            foreach (var (dagId, error) in found)
            {
                dags.Remove(dagId);
                errors.Add(error);
            }
        }
    }

    private static List<(DagId, ImportError)> FindErrors(IReadOnlyDictionary<DagId, LoadedDag> dags, ExternalNames external)
    {
        var models = Produced(dags.Values, "ml.register", "model", external.Models, out var anyTemplatedModel);
        var datasets = Produced(dags.Values, "ml.ingest", "name", external.Datasets, out var anyTemplatedDataset);
        var errors = new List<(DagId, ImportError)>();
        foreach (var dag in dags.Values.OrderBy(d => d.Id.Value, StringComparer.Ordinal))
        {
            var triggers = dag.Definition.Triggers;
            for (var index = 0; index < triggers.Count; index++)
            {
                var problem = Problem(triggers[index], dags, models, anyTemplatedModel, datasets, anyTemplatedDataset);
                if (problem is not null)
                {
                    var field = $"triggers[{index}]";
                    var at = triggers[index].Location.Line is not null ? triggers[index].Location : dag.Definition.Location;
                    errors.Add((dag.Id, new ImportError(at with { File = dag.FilePath, Field = field }, problem)));
                    break;
                }
            }
        }

        if (errors.Count == 0 && FindCycle(dags) is { } cycle)
        {
            var first = dags[cycle[0]];
            errors.Add((first.Id, new ImportError(first.Definition.Location with { File = first.FilePath, Field = "triggers" },
                $"dagSucceeded triggers form a cycle ({string.Join(" → ", cycle.Append(cycle[0]))}): each success would start the next run forever")));
        }

        return errors;
    }

    private static string? Problem(
        DagEventTrigger trigger, IReadOnlyDictionary<DagId, LoadedDag> dags,
        HashSet<string> models, bool anyTemplatedModel, HashSet<string> datasets, bool anyTemplatedDataset)
    {
        var subject = EventSubscriptions.SubjectOf(trigger);
        return trigger.Event switch
        {
            _ when subject is null => $"'{trigger.Event}' is not an event kind: expected one of {string.Join(", ", EventSubscriptions.Kinds)}",
            EventSubscriptions.Drift when !models.Contains(subject) && !anyTemplatedModel =>
                $"model '{subject}' does not exist: no DAG of the folder registers it (ml.register) and the registry does not hold it" + Known(subject, "models", models),
            EventSubscriptions.Dataset when !datasets.Contains(subject) && !anyTemplatedDataset =>
                $"dataset '{subject}' does not exist: no ml.ingest of the folder records it and the store holds no version of it" + Known(subject, "datasets", datasets),
            EventSubscriptions.DagSucceeded when !IdentifierRules.IsValid(subject) || !dags.ContainsKey(new DagId(subject)) =>
                $"DAG '{subject}' does not exist (or its file has import errors)" + Known(subject, "DAGs", [.. dags.Keys.Select(k => k.Value)]),
            _ => null,
        };
    }

    private static string Known(string subject, string what, HashSet<string> names)
    {
        if (Core.Graph.EditDistance.Closest(subject, names) is { } close)
        {
            return $"; did you mean '{close}'?";
        }

        var sorted = names.Order(StringComparer.Ordinal).Take(10).ToList();
        return sorted.Count == 0 ? $"; there are no {what} yet" : $"; known {what}: {string.Join(", ", sorted)}{(names.Count > 10 ? ", …" : "")}";
    }

    /// <summary>The names a task type's arg produces across the folder (plus the store's); an arg written with a
    /// template may produce any name, so a trigger cannot be judged against it.</summary>
    private static HashSet<string> Produced(IEnumerable<LoadedDag> dags, string taskType, string arg, IReadOnlySet<string> external, out bool anyTemplated)
    {
        var names = new HashSet<string>(external, StringComparer.Ordinal);
        anyTemplated = false;
        foreach (var (dag, task) in dags.SelectMany(dag => dag.Definition.Tasks.Where(task => task.Type == taskType).Select(task => (dag, task))))
        {
            var written = StringArg(task.Args, arg) ?? (taskType == "ml.ingest" && StringArg(task.Args, "path") is { } path ? Path.GetFileNameWithoutExtension(path) : null);
            if (written is null)
            {
                continue;
            }

            // "{{ params.model }}" names the param's default (a run's conf could name another, which no check can see).
            var name = ParamTemplate().Replace(written, match =>
                dag.Definition.Params.TryGetValue(match.Groups[1].Value, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : match.Value);

            if (name.Contains("{{", StringComparison.Ordinal))
            {
                anyTemplated = true;
            }
            else
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static string? StringArg(JsonElement args, string name) =>
        args.ValueKind == JsonValueKind.Object && args.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A cycle of dagSucceeded triggers (A runs when B succeeds, B when A does; or A when A does), as DAG ids.</summary>
    private static List<DagId>? FindCycle(IReadOnlyDictionary<DagId, LoadedDag> dags)
    {
        // edge: upstream DAG → the DAG its success triggers
        var next = dags.Values
            .SelectMany(dag => dag.Definition.Triggers
                .Where(t => t.Event == EventSubscriptions.DagSucceeded && t.Dag is not null && IdentifierRules.IsValid(t.Dag))
                .Select(t => (From: new DagId(t.Dag!), To: dag.Id)))
            .GroupBy(edge => edge.From)
            .ToDictionary(group => group.Key, group => group.Select(edge => edge.To).OrderBy(id => id.Value, StringComparer.Ordinal).ToList());
        var state = new Dictionary<DagId, int>(); // 1 on the path, 2 done
        var path = new List<DagId>();
        foreach (var start in dags.Keys.OrderBy(id => id.Value, StringComparer.Ordinal))
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<DagId>? Visit(DagId node)
        {
            if (state.GetValueOrDefault(node) == 2)
            {
                return null;
            }

            if (state.GetValueOrDefault(node) == 1)
            {
                return path[path.IndexOf(node)..];
            }

            state[node] = 1;
            path.Add(node);
            foreach (var to in next.GetValueOrDefault(node) ?? [])
            {
                if (Visit(to) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{\s*params\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex ParamTemplate();
}
