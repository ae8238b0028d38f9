using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Orchestrator.Core.Durations;
using Orchestrator.Core.Model;
using Orchestrator.Core.Retries;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Core.Validation;

namespace Orchestrator.Core.Authoring;

/// <summary>The fluent way to declare a DAG, used by C# DAG classes and by the JSON loader alike, so both
/// get the same defaults and the same validation. Each task remembers the file and line that declared it.</summary>
public sealed class DagBuilder
{
    private readonly List<TaskBuilder> _tasks = [];
    private readonly Dictionary<string, JsonElement> _params = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal);
    private readonly List<DagEventTrigger> _triggers = [];
    private readonly List<string> _tags = [];
    private readonly CallbackList _callbacks = new();
    private string _id;
    private string? _description;
    private string? _schedule;
    private string _timeZone = "UTC";
    private DateTimeOffset? _start;
    private bool _catchup;
    private int _maxActiveRuns = 16;

    public DagBuilder(string id, SourceLocation? location = null)
    {
        _id = id;
        Location = location ?? SourceLocation.Unknown;
    }

    /// <summary>Task settings applied to every task that doesn't set them itself.</summary>
    public TaskSettings Defaults { get; } = new();

    internal SourceLocation Location { get; }

    public DagBuilder Id(string id)
    {
        _id = id;
        return this;
    }

    public DagBuilder Description(string description)
    {
        _description = description;
        return this;
    }

    /// <summary>A 5-field cron expression (6 with seconds first) or preset (<c>@daily</c>); null for manual and event-triggered runs only.</summary>
    public DagBuilder Schedule(string? cron)
    {
        _schedule = cron;
        return this;
    }

    /// <summary>The time zone the schedule is read in (IANA id such as "Europe/Paris"). Default: UTC.</summary>
    public DagBuilder TimeZone(string zone)
    {
        _timeZone = zone;
        return this;
    }

    public DagBuilder Start(DateTimeOffset start)
    {
        _start = start;
        return this;
    }

    /// <summary>The start date as "2026-01-01" or an ISO 8601 date-time; a date alone is midnight UTC.</summary>
    public DagBuilder Start(string start)
    {
        _start = DateTimeOffset.Parse(start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return this;
    }

    public DagBuilder Catchup(bool catchup = true)
    {
        _catchup = catchup;
        return this;
    }

    public DagBuilder MaxActiveRuns(int count)
    {
        _maxActiveRuns = count;
        return this;
    }

    public DagBuilder Param(string name, object? value)
    {
        _params[name] = JsonValues.FromObject(value);
        return this;
    }

    /// <summary>An environment variable for every shell task; a task's own <c>args.env</c> entry of the same
    /// name wins. The value may hold templates; it reaches the command as an environment variable, never as
    /// command text, so this is the safe way to hand values to scripts.</summary>
    public DagBuilder Env(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        _env[name] = value;
        return this;
    }

    public DagBuilder Tag(string tag)
    {
        _tags.Add(tag);
        return this;
    }

    /// <summary>Creates a run when the event happens, e.g. <c>new DagEventTrigger("drift", Model: "taxi")</c>.</summary>
    public DagBuilder TriggeredBy(DagEventTrigger trigger)
    {
        _triggers.Add(trigger);
        return this;
    }

    /// <summary>Records an alert (and calls its webhook, if any) when the run fails.</summary>
    public DagBuilder OnFailure(CallbackTarget target) => Callback(CallbackTrigger.Failure, target);

    /// <summary>Records an alert when any task of the DAG fails a try and will be retried.</summary>
    public DagBuilder OnRetry(CallbackTarget target) => Callback(CallbackTrigger.Retry, target);

    /// <summary>Records an alert when any ml.gate of the DAG rejects its candidate.</summary>
    public DagBuilder OnGateRejected(CallbackTarget target) => Callback(CallbackTrigger.GateRejected, target);

    /// <summary>Records an alert when any task of the DAG detects drift.</summary>
    public DagBuilder OnDrift(CallbackTarget target) => Callback(CallbackTrigger.Drift, target);

    /// <summary>Adds a DAG-level callback, e.g. <c>dag.Callback(CallbackTrigger.Failure, new CallbackTarget(Connection: "ops_webhook"))</c>.</summary>
    public DagBuilder Callback(CallbackTrigger trigger, CallbackTarget target)
    {
        _callbacks.Add(trigger, target);
        return this;
    }

    /// <summary>Sets the defaults: <c>dag.WithDefaults(d =&gt; { d.Retries = 2; d.RetryDelay = TimeSpan.FromSeconds(10); })</c>.</summary>
    public DagBuilder WithDefaults(Action<TaskSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(Defaults);
        return this;
    }

    /// <summary>A task run by the C# class <typeparamref name="TTask"/>.</summary>
    public TaskBuilder Task<TTask>(string id, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
        where TTask : IDagTask =>
        Add(id, TaskDefinition.CSharpTaskType, typeof(TTask), new SourceLocation(FileOrNull(file), line));

    /// <summary>A task of a built-in or registered type (<c>shell</c>, <c>empty</c>, <c>ml.train</c>, …).</summary>
    public TaskBuilder Task(string id, string type, object? args = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        var task = Add(id, type, null, new SourceLocation(FileOrNull(file), line));
        return args is null ? task : task.WithArgs(args);
    }

    /// <summary>A bash command; its last stdout line is the output.</summary>
    public TaskBuilder Shell(string id, string command, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        Add(id, "shell", null, new SourceLocation(FileOrNull(file), line)).WithArgs(new { command });

    /// <summary>A task that does nothing: a join point or placeholder.</summary>
    public TaskBuilder Empty(string id, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        Add(id, "empty", null, new SourceLocation(FileOrNull(file), line));

    /// <summary>Adds a task at an explicit location; used by loaders that know the exact line.</summary>
    public TaskBuilder AddTask(string id, string type, Type? implementation, SourceLocation location) =>
        Add(id, type, implementation, location);

    /// <summary>Builds the DAG and checks it, throwing <see cref="DagDefinitionException"/> with every error found.</summary>
    public DagDefinition Build(DagValidationOptions? options = null)
    {
        var result = TryBuild(options);
        return result.Dag ?? throw new DagDefinitionException(result.Errors);
    }

    /// <summary>Builds and checks the DAG, returning every error instead of throwing.</summary>
    public DagValidationResult TryBuild(DagValidationOptions? options = null)
    {
        var idProblem = IdentifierRules.Explain(_id, "DAG id");
        if (idProblem is not null)
        {
            return new DagValidationResult(null, null, [new DagError(Location.WithField("id"), idProblem)]);
        }

        var errors = new List<DagError>();
        CheckEnv(errors);
        Defaults.CheckPool("defaults", Location, "defaults", null, errors);
        var callbacks = _callbacks.Build(Location, "", errors);
        var tasks = new List<TaskDefinition>(_tasks.Count);
        for (var i = 0; i < _tasks.Count; i++)
        {
            if (ToDefinition(_tasks[i], i, errors) is { } task)
            {
                tasks.Add(task);
            }
        }

        var dag = new DagDefinition
        {
            Id = new DagId(_id),
            Description = _description,
            Schedule = _schedule,
            TimeZone = _timeZone,
            Start = _start,
            Catchup = _catchup,
            MaxActiveRuns = _maxActiveRuns,
            Params = new Dictionary<string, JsonElement>(_params, StringComparer.Ordinal),
            Env = new Dictionary<string, string>(_env, StringComparer.Ordinal),
            Tasks = tasks,
            Triggers = [.. _triggers],
            Callbacks = callbacks,
            Tags = [.. _tags],
            Location = Location,
        };

        if (errors.Count > 0)
        {
            return new DagValidationResult(null, null, errors);
        }

        return DagValidator.Validate(dag, options);
    }

    private TaskBuilder Add(string id, string type, Type? implementation, SourceLocation location)
    {
        var task = new TaskBuilder(id, type, implementation, location);
        _tasks.Add(task);
        return task;
    }

    private TaskDefinition? ToDefinition(TaskBuilder task, int index, List<DagError> errors)
    {
        var field = $"tasks[{index}]";
        var idProblem = IdentifierRules.Explain(task.Id, "task id");
        if (idProblem is not null)
        {
            errors.Add(new DagError(task.Location.WithField($"{field}.id"), idProblem));
            return null;
        }

        var dependsOn = new List<TaskId>(task.Dependencies.Count);
        for (var d = 0; d < task.Dependencies.Count; d++)
        {
            var problem = IdentifierRules.Explain(task.Dependencies[d], "dependency");
            if (problem is null)
            {
                dependsOn.Add(new TaskId(task.Dependencies[d]));
            }
            else
            {
                errors.Add(new DagError(task.Location.WithField($"{field}.dependsOn[{d}]"), problem));
            }
        }

        task.Settings.CheckPool($"task '{task.Id}'", task.Location, field, Defaults, errors);
        return new TaskDefinition
        {
            Id = new TaskId(task.Id),
            Type = task.Type,
            Implementation = task.Implementation,
            DependsOn = dependsOn,
            TriggerRule = task.Settings.TriggerRule ?? Defaults.TriggerRule ?? TriggerRules.TriggerRule.AllSuccess,
            Retry = task.Settings.ResolveRetry(Defaults),
            Timeout = task.Settings.Timeout ?? Defaults.Timeout,
            Args = task.Type == "shell" ? DagEnvironment.Merge(_env, task.Args) : task.Args,
            Queue = task.Settings.Queue ?? Defaults.Queue ?? TaskDefinition.DefaultQueue,
            Pool = task.Settings.Pool ?? Defaults.Pool,
            PoolSlots = task.Settings.PoolSlots ?? Defaults.PoolSlots ?? 1,
            PriorityWeight = task.Settings.PriorityWeight ?? Defaults.PriorityWeight ?? 1,
            WeightRule = task.Settings.WeightRule ?? Defaults.WeightRule ?? Pools.WeightRule.Downstream,
            Callbacks = task.CallbackList.Build(task.Location, field, errors),
            Location = task.Location,
        };
    }

    private void CheckEnv(List<DagError> errors)
    {
        foreach (var name in _env.Keys.Where(name => DagEnvironment.Explain(name) is not null))
        {
            errors.Add(new DagError(Location.WithField($"env.{name}"), DagEnvironment.Explain(name)!));
        }
    }

    private static string? FileOrNull(string file) => string.IsNullOrEmpty(file) ? null : file;

    /// <summary>The id a DAG class gets unless it sets one: its name in snake_case without a "Dag" suffix.</summary>
    public static string DefaultIdFor(Type dagClass)
    {
        ArgumentNullException.ThrowIfNull(dagClass);
        var name = dagClass.Name.EndsWith("Dag", StringComparison.Ordinal) && dagClass.Name.Length > 3
            ? dagClass.Name[..^3]
            : dagClass.Name;
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
