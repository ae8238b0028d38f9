using Microsoft.AspNetCore.Http;

namespace Orchestrator.Serving;

/// <summary>A request the scoring server refuses, with the HTTP status and MLflow's error code it is answered with
/// (<c>{"error_code": ..., "message": ...}</c>). The message says where (column, row, byte) and what was expected.</summary>
public sealed class ServingException : Exception
{
    public ServingException(int statusCode, string errorCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    public ServingException()
        : this(StatusCodes.Status400BadRequest, ServingErrorCodes.BadRequest, "Bad request")
    {
    }

    public ServingException(string message)
        : this(StatusCodes.Status400BadRequest, ServingErrorCodes.BadRequest, message)
    {
    }

    public ServingException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = StatusCodes.Status400BadRequest;
        ErrorCode = ServingErrorCodes.BadRequest;
    }

    public int StatusCode { get; }

    public string ErrorCode { get; }

    /// <summary>The input does not fit the model's signature (missing column, mistyped value, wrong shape).</summary>
    internal static ServingException BadInput(string message) => new(StatusCodes.Status400BadRequest, ServingErrorCodes.BadRequest, message);

    /// <summary>The body is not parseable as its content type says.</summary>
    internal static ServingException Malformed(string message) => new(StatusCodes.Status400BadRequest, ServingErrorCodes.MalformedRequest, message);

    internal static ServingException InvalidParameter(string message) => new(StatusCodes.Status400BadRequest, ServingErrorCodes.InvalidParameterValue, message);

    internal static ServingException NotFound(string message) => new(StatusCodes.Status404NotFound, ServingErrorCodes.ResourceDoesNotExist, message);

    /// <summary>A registered version whose package cannot be served (missing, unreadable, or not matching its digest).
    /// No file-system path: the server log has the cause.</summary>
    internal static ServingException LoadFailed(string name, int version) => new(
        StatusCodes.Status500InternalServerError,
        ServingErrorCodes.InternalError,
        $"Model '{name}' version {version} could not be loaded: its package is missing, unreadable or does not match its " +
        "recorded digest. The server log has the cause.");

    internal static ServingException TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, ServingErrorCodes.RequestLimitExceeded, message);
}

/// <summary>MLflow's error codes (its <c>databricks_pb2.ErrorCode</c> names), as its scoring server and REST API use them.</summary>
public static class ServingErrorCodes
{
    public const string BadRequest = "BAD_REQUEST";
    public const string MalformedRequest = "MALFORMED_REQUEST";
    public const string InvalidParameterValue = "INVALID_PARAMETER_VALUE";
    public const string ResourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST";
    public const string RequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED";
    public const string InternalError = "INTERNAL_ERROR";
    public const string TemporarilyUnavailable = "TEMPORARILY_UNAVAILABLE";
}
