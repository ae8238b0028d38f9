namespace Orchestrator.Core.Secrets;

/// <summary>The Variables and Connections a try's templates may read (<c>{{ var.NAME }}</c>,
/// <c>{{ conn.NAME.password }}</c>). Synchronous: an implementation loads (and decrypts) what it serves before
/// rendering starts, and tells the try's masker every value it hands out.</summary>
public interface ISecretValues
{
    /// <summary>The variable's value, or null when there is no such variable.</summary>
    string? GetVariable(string name);

    /// <summary>The connection, or null when there is no such connection.</summary>
    ConnectionValues? GetConnection(string name);
}

/// <summary>A Connection as Airflow users know it: how to reach a system and with which credentials.</summary>
public sealed record ConnectionValues(
    string Type,
    string? Host = null,
    int? Port = null,
    string? Login = null,
    string? Password = null,
    string? Schema = null,
    IReadOnlyDictionary<string, string>? Extra = null);

/// <summary>No Variables and no Connections (tests, or a run with no store).</summary>
public sealed class NoSecretValues : ISecretValues
{
    public static NoSecretValues Instance { get; } = new();

    public string? GetVariable(string name) => null;

    public ConnectionValues? GetConnection(string name) => null;
}
