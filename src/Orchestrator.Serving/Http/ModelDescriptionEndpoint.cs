using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Serving.Http;

/// <summary><c>GET /models/{name}</c>: the registered model, its aliases, its versions (newest first, each with its
/// signature, metrics, params and lineage) and the signature of the version the default alias serves (or the newest).
/// Reads the registry each time: this is for people and tools, not the scoring hot path.</summary>
internal sealed class ModelDescriptionEndpoint(IModelRegistryStore registry, IOptions<ModelServingOptions> options)
{
    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var name = (string)context.Request.RouteValues["name"]!;
        var model = await registry.GetModelAsync(name, cancellationToken);
        if (model is null)
        {
            await ErrorReply.SendAsync(context.Response, StatusCodes.Status404NotFound, ServingErrorCodes.ResourceDoesNotExist,
                $"Registered model '{name}' not found", cancellationToken);
            return;
        }

        var versions = await registry.ListVersionsAsync(name, cancellationToken);
        var reply = ResponseBuffer.Rent();
        try
        {
            Write(reply.Json, model, versions, options.Value.DefaultAlias);
            await reply.SendAsync(context.Response, StatusCodes.Status200OK, cancellationToken);
        }
        finally
        {
            ResponseBuffer.Return(reply);
        }
    }

    private static void Write(Utf8JsonWriter json, RegisteredModelRecord model, IReadOnlyList<ModelVersionRecord> versions, string defaultAlias)
    {
        json.WriteStartObject();
        json.WriteString("name", model.Name);
        json.WriteString("description", model.Description);
        WriteTags(json, "tags", model.Tags);
        json.WriteString("createdAt", model.CreatedAt);
        json.WriteString("updatedAt", model.UpdatedAt);
        json.WriteString("defaultAlias", defaultAlias);
        json.WriteStartObject("aliases");
        foreach (var (alias, version) in model.Aliases.OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(alias, version);
        }

        json.WriteEndObject();

        var served = model.Aliases.TryGetValue(defaultAlias, out var number)
            ? versions.FirstOrDefault(v => v.Version == number)
            : versions.Count > 0 ? versions[0] : null;
        json.WritePropertyName("signature");
        WriteEmbeddedJson(json, served?.SignatureJson);

        json.WriteStartArray("versions");
        foreach (var version in versions)
        {
            json.WriteStartObject();
            json.WriteNumber("version", version.Version);
            json.WriteStartArray("aliases");
            foreach (var alias in model.Aliases.Where(entry => entry.Value == version.Version).Select(entry => entry.Key).Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(alias);
            }

            json.WriteEndArray();
            json.WriteString("description", version.Description);
            WriteTags(json, "tags", version.Tags);
            json.WriteString("createdAt", version.CreatedAt);
            json.WriteString("artifactDigest", version.ArtifactDigest);
            json.WriteString("datasetDigest", version.DatasetDigest);
            json.WriteString("trackingRunId", version.TrackingRunId);
            json.WritePropertyName("signature");
            WriteEmbeddedJson(json, version.SignatureJson);
            json.WritePropertyName("params");
            WriteEmbeddedJson(json, version.ParamsJson);
            json.WritePropertyName("metrics");
            WriteEmbeddedJson(json, version.MetricsJson);
            json.WriteStartObject("createdBy");
            json.WriteString("dagId", version.CreatedBy.DagId);
            json.WriteString("runId", version.CreatedBy.RunId);
            json.WriteString("taskId", version.CreatedBy.TaskId);
            if (version.CreatedBy.TryNumber is { } tryNumber)
            {
                json.WriteNumber("tryNumber", tryNumber);
            }
            else
            {
                json.WriteNull("tryNumber");
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteTags(Utf8JsonWriter json, string property, IReadOnlyDictionary<string, string> tags)
    {
        json.WriteStartObject(property);
        foreach (var (key, value) in tags.OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    /// <summary>JSON the ML layer stored (signature, params, metrics) goes out as JSON; anything unparseable as a string.</summary>
    private static void WriteEmbeddedJson(Utf8JsonWriter json, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            json.WriteNullValue();
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            document.WriteTo(json);
        }
        catch (JsonException)
        {
            json.WriteStringValue(text);
        }
    }
}
