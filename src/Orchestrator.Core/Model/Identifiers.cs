using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestrator.Core.Model;

/// <summary>Identifies a DAG. Letters, digits, '_', '-' and '.', 1-250 characters, like Airflow's dag_id.</summary>
public readonly record struct DagId
{
    public DagId(string value) => Value = IdentifierRules.Require(value, "DAG id");

    public string Value { get; }

    public override string ToString() => Value;
}

/// <summary>Identifies a task within its DAG.</summary>
public readonly record struct TaskId
{
    public TaskId(string value) => Value = IdentifierRules.Require(value, "task id");

    public string Value { get; }

    public override string ToString() => Value;
}

/// <summary>Identifies one DAG run, across all DAGs (e.g. <c>scheduled__2026-01-01T00:00:00+00:00__etl</c>).</summary>
public readonly record struct RunId
{
    public RunId(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Value = value;
    }

    public string Value { get; }

    /// <summary>The id of <paramref name="dag"/>'s scheduled run for <paramref name="logicalDate"/>. A run id is unique
    /// across DAGs and a DAG has one run per logical date, so the id carries both: two DAGs on the same schedule
    /// never claim the same id, and two schedulers creating the same run agree on it.</summary>
    public static RunId Scheduled(DagId dag, DateTimeOffset logicalDate) =>
        new($"scheduled__{logicalDate.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)}__{dag.Value}");

    /// <summary>The id of <paramref name="dag"/>'s manual run for <paramref name="logicalDate"/> (to the millisecond,
    /// the store's precision; the run factory makes logical dates of one DAG distinct, and so these ids).</summary>
    public static RunId Manual(DagId dag, DateTimeOffset logicalDate) =>
        new($"manual__{logicalDate.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture)}__{dag.Value}");

    /// <summary>The id of the run <paramref name="dag"/> gets for event <paramref name="eventId"/>: derived from the
    /// event, so delivering the event again (after a restart between creating the run and marking the event delivered)
    /// finds the run instead of creating a second one.</summary>
    public static RunId ForEvent(DagId dag, long eventId) =>
        new($"event__{eventId.ToString(CultureInfo.InvariantCulture)}__{dag.Value}");

    public override string ToString() => Value;
}

/// <summary>The one place that says what a DAG or task identifier may contain.</summary>
public static partial class IdentifierRules
{
    public const int MaxLength = 250;

    public static bool IsValid(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && Pattern().IsMatch(value);

    /// <summary>Why <paramref name="value"/> is not a valid identifier, or null when it is.</summary>
    public static string? Explain(string? value, string what) => value switch
    {
        null or "" => $"{what} must not be empty",
        { Length: > MaxLength } => $"{what} '{value[..20]}…' is longer than {MaxLength} characters",
        _ when !Pattern().IsMatch(value) =>
            $"{what} '{value}' may contain only letters, digits, '_', '-' and '.'",
        _ => null,
    };

    internal static string Require(string value, string what) =>
        Explain(value, what) is { } problem ? throw new ArgumentException(problem, nameof(value)) : value;

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex Pattern();
}
