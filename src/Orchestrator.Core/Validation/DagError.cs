using Orchestrator.Core.Model;

namespace Orchestrator.Core.Validation;

/// <summary>One thing wrong with a DAG: where (file, line, field) and what is expected.</summary>
public sealed record DagError(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>Thrown when a DAG cannot be built; carries every error found, not just the first.</summary>
public sealed class DagDefinitionException : Exception
{
    public DagDefinitionException(IReadOnlyList<DagError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public DagDefinitionException()
        : this([])
    {
    }

    public DagDefinitionException(string message)
        : this([new DagError(SourceLocation.Unknown, message)])
    {
    }

    public DagDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new DagError(SourceLocation.Unknown, message)];
    }

    public IReadOnlyList<DagError> Errors { get; }
}
