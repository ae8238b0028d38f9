using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Alerts;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;
using Orchestrator.Alerting.Webhooks;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Alerting.Notify;

/// <summary>The <c>notify</c> task type: args <c>{connection? | url?, message, severity?}</c>. Records an alert (kind
/// notify, one per try) and sends it now; a webhook that still fails after the sender's retries fails the try, so the
/// task's own retry policy applies. Output: <c>{"alertId", "state"}</c>.</summary>
public sealed partial class NotifyTask(IMetadataStore store, WebhookSender sender) : ITaskExecutor
{
    public const string TypeName = "notify";

    private static readonly string[] KnownArgs = ["connection", "url", "message", "severity"];

    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = ReadTarget(context);
        var alert = new NewAlert(
            "notify", target.Severity, target.Message!, CallbackAlerts.TargetJson(target),
            string.Join('|', "notify", context.DagId.Value, context.RunId.Value, context.TaskId.Value, context.TryNumber.ToString(CultureInfo.InvariantCulture)),
            context.Time.GetUtcNow())
        {
            DagId = context.DagId.Value, RunId = context.RunId.Value, TaskId = context.TaskId.Value,
        };
        var (recorded, _) = await store.Alerts.RecordAsync(alert, cancellationToken);
        if (recorded.State == AlertState.Pending)
        {
            // The alert of this try may exist already (the try was replayed); it is sent again only while pending.
            var result = await sender.SendAsync(recorded, cancellationToken);
            var state = result.Delivered ? AlertState.Sent : AlertState.Failed;
            await store.Alerts.MarkAsync(recorded.Id, state, recorded.Attempts + result.Attempts, result.Error, context.Time.GetUtcNow(), CancellationToken.None);
            if (!result.Delivered)
            {
                throw new TaskFailedException($"task '{context.TaskId}' (notify): alert {recorded.Id} was not delivered: {result.Error}");
            }

            recorded = recorded with { State = state };
        }
        else if (recorded.State == AlertState.Failed)
        {
            throw new TaskFailedException($"task '{context.TaskId}' (notify): alert {recorded.Id} was not delivered: {recorded.LastError}");
        }

        context.Log.Write("info", $"alert {recorded.Id} {AlertStates.Name(recorded.State)}");
        return JsonSerializer.SerializeToElement(new Dictionary<string, object>
        {
            ["alertId"] = recorded.Id,
            ["state"] = AlertStates.Name(recorded.State),
        });
    }

    /// <summary>The args as a callback target, or a configuration error (not retried) naming the arg.</summary>
    private static CallbackTarget ReadTarget(TaskContext context)
    {
        foreach (var field in context.Args.Json.EnumerateObject())
        {
            if (!KnownArgs.Contains(field.Name))
            {
                var hint = EditDistance.Closest(field.Name, KnownArgs) is { } close ? $"did you mean '{close}'? " : "";
                throw ArgError(context, field.Name, $"is not an argument of notify; {hint}known: {string.Join(", ", KnownArgs)}");
            }
        }

        // The message is stored in the alert and shown to every viewer: a Variable or Connection read into it would be a
        // secret in clear (logs mask them; an alert is data). Refused as written, before rendering, like callbacks.
        // The same for the url: stored as the alert's target, and webhook URLs often carry their token in the path.
        foreach (var arg in new[] { "message", "url" })
        {
            if (context.Task.Args.ValueKind == System.Text.Json.JsonValueKind.Object && context.Task.Args.TryGetProperty(arg, out var written)
                && written.ValueKind == System.Text.Json.JsonValueKind.String && SecretTemplate().IsMatch(written.GetString()!))
            {
                throw ArgError(context, arg, "reads a Variable or Connection ({{ var.… }} / {{ conn.… }}); an alert is shown to every viewer, so it may not hold secrets (a webhook with a secret goes in a Connection: args.connection)");
            }
        }

        var message = context.Args.RequireString("message");
        var target = new CallbackTarget(context.Args.GetString("connection"), context.Args.GetString("url"), message, context.Args.GetString("severity") ?? "warning");
        foreach (var (key, problem) in CallbackRules.Explain(target with { Message = null }))
        {
            throw ArgError(context, key, problem);
        }

        return target;
    }

    private static TaskArgumentException ArgError(TaskContext context, string field, string problem) =>
        new($"task '{context.TaskId}': args.{field} {problem}");

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{\s*(var|conn)\.", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex SecretTemplate();
}
