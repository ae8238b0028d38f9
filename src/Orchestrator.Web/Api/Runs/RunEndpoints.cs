using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Application;
using Orchestrator.Application.Queries.Runs;
using Orchestrator.Application.Queries.TaskInstances;
using Orchestrator.Application.TaskInstances;
using Orchestrator.Core.States;
using Orchestrator.Web.Api.Dags;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Api.Runs;

/// <summary>Body of <c>POST …/clear</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ClearRequest(bool Downstream);

/// <summary>Answer of <c>POST …/clear</c>: the tasks cleared.</summary>
public sealed record ClearResponse(IReadOnlyList<string> Cleared);

/// <summary>Body of <c>POST …/mark</c>: <c>success</c> or <c>failed</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MarkRequest(string? State);

internal static class RunEndpoints
{
    public static RouteGroupBuilder MapRunApi(this RouteGroupBuilder v1)
    {
        var runs = v1.MapGroup("/runs").WithTags("Runs and task instances");
        runs.MapGet("/", ListAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        runs.MapGet("/{runId}", GetAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        runs.MapGet("/{runId}/tasks/{taskId}", TaskAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        runs.MapGet("/{runId}/tasks/{taskId}/logs/{tryNumber}", LogsAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        runs.MapPost("/{runId}/tasks/{taskId}/clear", ClearAsync).RequireAuthorization(OrchestratorPolicies.Operator);
        runs.MapPost("/{runId}/tasks/{taskId}/mark", MarkAsync).RequireAuthorization(OrchestratorPolicies.Operator);
        return v1;
    }

    private static async Task<Ok<Page<RunSummary>>> ListAsync(RunQueries queries, string? dagId, string? state, string? offset, string? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListAsync(string.IsNullOrWhiteSpace(dagId) ? null : ApiParameters.Dag(dagId), state, ApiParameters.Page(offset, limit), cancellationToken));

    private static async Task<Ok<RunDetail>> GetAsync(RunQueries queries, string runId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GetAsync(ApiParameters.Run(runId), cancellationToken));

    private static async Task<Ok<TaskInstanceDetail>> TaskAsync(TaskInstanceQueries queries, string runId, string taskId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GetAsync(ApiParameters.Run(runId), ApiParameters.Task(taskId), cancellationToken));

    private static async Task<Ok<LogChunk>> LogsAsync(
        TaskInstanceQueries queries, string runId, string taskId, string tryNumber, string? after, CancellationToken cancellationToken)
    {
        var number = ApiParameters.OptionalInt(tryNumber, "tryNumber") ?? 0;
        return TypedResults.Ok(await queries.LogsAsync(
            ApiParameters.Run(runId), ApiParameters.Task(taskId), number, ApiParameters.OptionalLong(after, "after", 0), cancellationToken));
    }

    private static async Task<Ok<ClearResponse>> ClearAsync(
        ITaskInstanceCommands commands, HttpContext httpContext, string runId, string taskId, ClearRequest? body, CancellationToken cancellationToken)
    {
        var cleared = await commands.ClearAsync(ApiParameters.Run(runId), ApiParameters.Task(taskId), body?.Downstream ?? false, ApiActor.Of(httpContext), cancellationToken);
        return TypedResults.Ok(new ClearResponse([.. cleared.Select(id => id.Value)]));
    }

    private static async Task<Ok<TaskInstanceSummary>> MarkAsync(
        ITaskInstanceCommands commands, TaskInstanceQueries queries, HttpContext httpContext, string runId, string taskId, MarkRequest? body, CancellationToken cancellationToken)
    {
        var run = ApiParameters.Run(runId);
        var task = ApiParameters.Task(taskId);
        if (!TaskInstanceStates.TryParse(body?.State, out var state) || state is not (TaskInstanceState.Success or TaskInstanceState.Failed))
        {
            throw ApplicationProblemException.Invalid($"state must be success or failed, not '{body?.State}'", "state");
        }

        await commands.MarkAsync(run, task, state, ApiActor.Of(httpContext), cancellationToken);
        return TypedResults.Ok(await queries.GetSummaryAsync(run, task, cancellationToken));
    }
}
