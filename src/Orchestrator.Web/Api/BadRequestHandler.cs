using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Orchestrator.Web.Api;

/// <summary>A request the endpoint could not bind (malformed JSON, a JSON value of the wrong kind, nesting too deep,
/// a wrong content type) gets a problem-details answer saying what was expected and, when the JSON path names one,
/// the <c>field</c> — instead of ASP.NET Core's bare "Bad Request". Needs
/// <see cref="Microsoft.AspNetCore.Routing.RouteHandlerOptions.ThrowOnBadRequest"/> on (set by
/// <see cref="ApiErrorsServiceCollectionExtensions.AddOrchestratorApiErrors"/>).</summary>
internal sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }

        // The exception middleware has cleared the endpoint by now; its feature keeps the one that threw.
        var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
        var bodyType = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var (detail, field) = bad.InnerException is JsonException json ? DescribeJson(json, bodyType) : (bad.Message, null);
        httpContext.Response.StatusCode = bad.StatusCode;
        var details = new ProblemDetails
        {
            Status = bad.StatusCode,
            Title = bad.StatusCode == StatusCodes.Status415UnsupportedMediaType ? "Unsupported media type" : "Invalid request",
            Detail = detail,
        };
        if (field is not null)
        {
            details.Extensions["field"] = field;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }

    internal static (string Detail, string? Field) DescribeJson(JsonException json, Type? bodyType)
    {
        var expected = bodyType is null ? "a JSON body" : Example(bodyType);
        var field = FieldOf(json.Path);
        var where = string.Create(CultureInfo.InvariantCulture, $"line {(json.LineNumber ?? 0) + 1}, position {(json.BytePositionInLine ?? 0) + 1}");

        // The reader's own errors (syntax, depth) come wrapped; a value of the wrong kind does not.
        if (json.InnerException is JsonException || json.Message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            // Only the depth limit's own message: a truncated body's says "Expected depth to be zero…", which is not it.
            var why = json.Message.Contains("maximum configured depth", StringComparison.Ordinal) ? "is nested too deeply" : "is not valid JSON";
            return ($"the body {why} ({where}); expected {expected}", null);
        }

        if (field is null)
        {
            return ($"the body must be {expected}", null);
        }

        // The request bodies disallow unknown properties: {"config": …} for {"conf": …} must not pass as an empty conf.
        if (json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return ($"{field} is not a field of this body; expected {expected}", field);
        }

        var type = bodyType is null ? null : TypeAt(bodyType, field);
        return (type is null ? $"{field} has a value of the wrong kind ({where}); expected {expected}" : $"{field} must be {Kind(type)}", field);
    }

    /// <summary>"$.isPaused" → "isPaused", "$.conf.a" → "conf.a"; the root or an array index names no field.</summary>
    internal static string? FieldOf(string? path) =>
        path is null || !path.StartsWith("$.", StringComparison.Ordinal) || path.Contains('[', StringComparison.Ordinal) ? null : path[2..];

    private static Type? TypeAt(Type type, string field)
    {
        Type? current = type;
        foreach (var name in field.Split('.'))
        {
            current = current?.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;
        }

        return current is null ? null : Nullable.GetUnderlyingType(current) ?? current;
    }

    private static string Kind(Type type) => type switch
    {
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(string) => "a string",
        _ when type == typeof(int) || type == typeof(long) => "an integer",
        _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number",
        _ when type == typeof(JsonElement) => "a JSON value",
        _ when typeof(IEnumerable).IsAssignableFrom(type) => "an array",
        _ => "a JSON object",
    };

    /// <summary>The body's shape from its type: {"isPaused": true|false}.</summary>
    private static string Example(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        if (type.IsPrimitive || type == typeof(string) || properties.Length == 0)
        {
            return Kind(type);
        }

        var fields = properties.Select(p => $"\"{JsonNamingPolicy.CamelCase.ConvertName(p.Name)}\": {Sample(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType)}");
        return "a JSON object like {" + string.Join(", ", fields) + "}";
    }

    private static string Sample(Type type) => type switch
    {
        _ when type == typeof(bool) => "true|false",
        _ when type == typeof(string) => "\"…\"",
        _ when type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(decimal) => "0",
        _ when typeof(IEnumerable).IsAssignableFrom(type) => "[…]",
        _ => "{…}",
    };
}
