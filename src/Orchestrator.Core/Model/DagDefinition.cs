using System.Text.Json;

namespace Orchestrator.Core.Model;

/// <summary>A DAG as declared in a JSON file or a C# class: metadata, params and tasks. Immutable once built;
/// check it with <see cref="Validation.DagValidator"/> before use.</summary>
public sealed class DagDefinition
{
    public required DagId Id { get; init; }

    public string? Description { get; init; }

    /// <summary>A 5-field cron expression (6 with seconds first), a preset (<c>@hourly</c>, <c>@daily</c>, …), or null for manual/event runs only.</summary>
    public string? Schedule { get; init; }

    /// <summary>IANA or Windows time zone id the schedule is read in. Default: UTC.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>The first logical date the scheduler may create a run for. Null: from when the DAG is first seen.</summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>Whether missed intervals since <see cref="Start"/> each get a run. Default: false.</summary>
    public bool Catchup { get; init; }

    /// <summary>How many runs of this DAG may be active at once. Default: 16, like Airflow.</summary>
    public int MaxActiveRuns { get; init; } = 16;

    /// <summary>Named values for <c>{{ params.NAME }}</c>; a run's conf overrides them.</summary>
    public IReadOnlyDictionary<string, JsonElement> Params { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Environment variables for every shell task, under each task's own <c>args.env</c> (the task wins);
    /// already merged into the shell tasks' args by the builder.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<TaskDefinition> Tasks { get; init; } = [];

    /// <summary>Events besides the schedule that create runs (drift, dataset, dagSucceeded).</summary>
    public IReadOnlyList<DagEventTrigger> Triggers { get; init; } = [];

    /// <summary>Alerts on the run's failure, and on any task's retry, gate rejection or drift.</summary>
    public Callbacks Callbacks { get; init; } = Callbacks.None;

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The file the DAG came from (line of its declaration when known).</summary>
    public SourceLocation Location { get; init; } = SourceLocation.Unknown;
}

/// <summary>An event that creates a run: <c>drift</c> (with Model), <c>dataset</c> (with Name) or <c>dagSucceeded</c> (with Dag).</summary>
public sealed record DagEventTrigger(string Event, string? Model = null, string? Name = null, string? Dag = null)
{
    /// <summary>Where the trigger is declared, for errors about what it names.</summary>
    public SourceLocation Location { get; init; } = SourceLocation.Unknown;
}
