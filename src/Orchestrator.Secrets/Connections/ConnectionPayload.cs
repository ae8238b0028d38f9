using System.Text.Json;
using Orchestrator.Core.Secrets;

namespace Orchestrator.Secrets.Connections;

/// <summary>The encrypted part of a stored connection: the whole <see cref="ConnectionValues"/> as JSON.</summary>
internal static class ConnectionPayload
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(ConnectionValues connection) => JsonSerializer.Serialize(new Payload(
        connection.Type, connection.Host, connection.Port, connection.Login, connection.Password, connection.Schema,
        connection.Extra is null ? null : new Dictionary<string, string>(connection.Extra, StringComparer.Ordinal)), Options);

    public static ConnectionValues Read(string json)
    {
        var payload = JsonSerializer.Deserialize<Payload>(json, Options) ?? throw new JsonException("connection payload is null");
        return new ConnectionValues(payload.Type, payload.Host, payload.Port, payload.Login, payload.Password, payload.Schema, payload.Extra);
    }

    private sealed record Payload(string Type, string? Host, int? Port, string? Login, string? Password, string? Schema, Dictionary<string, string>? Extra);
}
