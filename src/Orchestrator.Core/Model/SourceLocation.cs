namespace Orchestrator.Core.Model;

/// <summary>Where something was declared: a file, optionally a 1-based line and column, and a field path
/// such as <c>tasks[2].dependsOn[0]</c>. Every error a user sees points at one of these.</summary>
public sealed record SourceLocation(string? File, int? Line = null, int? Column = null, string? Field = null)
{
    public static SourceLocation Unknown { get; } = new(File: null);

    public SourceLocation WithField(string field) => this with { Field = field };

    public override string ToString()
    {
        var place = File ?? "<unknown file>";
        if (Line is { } line)
        {
            place += Column is { } column ? $":{line}:{column}" : $":{line}";
        }

        return Field is null ? place : $"{place} ({Field})";
    }
}
