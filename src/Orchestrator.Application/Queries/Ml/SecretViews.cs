namespace Orchestrator.Application.Queries.Ml;

/// <summary>A Variable as admins list it: the name, and the value always as <c>***</c>.</summary>
public sealed record VariableView(string Name, string Value, DateTimeOffset UpdatedAt);

/// <summary>A Connection as admins list it: where it points in clear (type, host, port, login, schema), the password
/// and every extra value as <c>***</c>. <see cref="Problem"/> is set (and the sealed fields null) when the Connection
/// was sealed with another key.</summary>
public sealed record ConnectionView(
    string Name,
    string Type,
    string? Host,
    int? Port,
    string? Login,
    string? Schema,
    string? Password,
    IReadOnlyDictionary<string, string> Extra,
    DateTimeOffset UpdatedAt,
    string? Problem = null);
