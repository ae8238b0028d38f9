using Orchestrator.Core.Model;
using Polly;
using Polly.Timeout;

namespace Orchestrator.Execution.Tries;

/// <summary>Builds the Polly pipeline of one try: its timeout. Retries are not Polly's here: a failed try waits in
/// up_for_retry without holding a worker, and the engine (or <c>dags test</c>) starts the next try when it is due.</summary>
internal static class TaskResiliencePipelines
{
    // Polly's allowed range for a timeout.
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);

    public static ResiliencePipeline Create(TaskDefinition task, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (task.Timeout is { } timeout)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Timeout = Clamp(timeout, MinTimeout, MaxTimeout) });
        }

        return builder.Build();
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) =>
        value < min ? min : value > max ? max : value;
}
