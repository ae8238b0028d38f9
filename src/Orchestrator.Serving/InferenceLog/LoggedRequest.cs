using Orchestrator.ML.Models;
using Orchestrator.Serving.Resolution;

namespace Orchestrator.Serving.InferenceLog;

/// <summary>One sampled request as the endpoint hands it over: the bound rows and their predictions, as they are.
/// Turning them into JSON is the writer's job, off the request path.</summary>
internal sealed record LoggedRequest(string RequestId, ServedModel Model, DateTimeOffset At, List<ModelRow> Rows, Prediction[] Predictions);
