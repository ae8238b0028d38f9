using System.Globalization;
using Orchestrator.Application;
using Orchestrator.Core.Model;

namespace Orchestrator.Web.Api.Dags;

/// <summary>Reads path and query values as the contract wants them refused: a number that is not one is a 400 naming
/// the parameter (not the framework's bare 400), an id that cannot exist is a 404.</summary>
internal static class ApiParameters
{
    public static int? OptionalInt(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw ApplicationProblemException.Invalid($"{field} must be a whole number, not '{value}'", field);
    }

    public static long OptionalLong(string? value, string field, long absent) =>
        string.IsNullOrWhiteSpace(value) ? absent
        : long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number
        : throw ApplicationProblemException.Invalid($"{field} must be a whole number, not '{value}'", field);

    public static PageRequest Page(string? offset, string? limit) =>
        PageRequest.From(OptionalInt(offset, "offset"), OptionalInt(limit, "limit"));

    public static DagId Dag(string value) => Id(() => new DagId(value), $"no DAG '{value}'");

    public static TaskId Task(string value) => Id(() => new TaskId(value), $"no task '{value}'");

    public static RunId Run(string value) => Id(() => new RunId(value), $"no run '{value}'");

    private static T Id<T>(Func<T> create, string notFound)
    {
        try
        {
            return create();
        }
        catch (ArgumentException)
        {
            throw ApplicationProblemException.NotFound(notFound);
        }
    }
}
