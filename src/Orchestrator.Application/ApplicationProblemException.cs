namespace Orchestrator.Application;

/// <summary>What kind of refusal a use case gives: the REST API maps it to a status code (404, 400, 409, 403), the
/// CLI to its exit code, the pages to a message.</summary>
public enum ProblemKind
{
    /// <summary>The DAG, run, task, model… named does not exist.</summary>
    NotFound,
    /// <summary>The request itself is wrong (a field, a conf value); <see cref="ApplicationProblemException.Field"/> says which.</summary>
    Invalid,
    /// <summary>The request is well formed but the thing's state forbids it now (a running task cannot be marked).</summary>
    Conflict,
    /// <summary>The actor's role does not allow it.</summary>
    Forbidden,
}

/// <summary>A use case's refusal, with a message that says what was wrong and what is expected. Nothing was changed.</summary>
public sealed class ApplicationProblemException : Exception
{
    public ApplicationProblemException(ProblemKind kind, string message, string? field = null)
        : base(message)
    {
        Kind = kind;
        Field = field;
    }

    public ApplicationProblemException()
    {
    }

    public ApplicationProblemException(string message)
        : base(message)
    {
    }

    public ApplicationProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ProblemKind Kind { get; }

    /// <summary>The request field at fault (<c>conf.minRows</c>, <c>state</c>), when one is.</summary>
    public string? Field { get; }

    public static ApplicationProblemException NotFound(string message) => new(ProblemKind.NotFound, message);

    public static ApplicationProblemException Invalid(string message, string? field = null) => new(ProblemKind.Invalid, message, field);

    public static ApplicationProblemException Conflict(string message) => new(ProblemKind.Conflict, message);
}
