namespace Orchestrator.Engine.Concurrency;

/// <summary>Runs one pass at a time over shared state (e.g. "start the queued runs"). Requests made while a pass runs
/// coalesce into one more pass, and each request's task completes only when a pass that began after the request has
/// ended — so a caller that changed something and asks for a pass knows the change was looked at when it resumes.</summary>
public sealed class CoalescedPass(Func<CancellationToken, Task> pass, CancellationToken stopping)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _requested;
    private bool _passRunning;

    /// <summary>Asks for a pass; completes when a pass begun after this call has ended (or at once when stopping).
    /// A pass that throws still completes the request: the pass itself decides what to log.</summary>
    public Task RequestAsync()
    {
        Task done;
        lock (_gate)
        {
            _requested = true;
            done = _next.Task;
        }

        _ = DrainAsync();
        return done;
    }

    private async Task DrainAsync()
    {
        lock (_gate)
        {
            if (_passRunning)
            {
                return; // the pass running takes the request when it ends
            }

            _passRunning = true;
        }

        while (TakeRequestOrStop() is { } served)
        {
            try
            {
                if (!stopping.IsCancellationRequested)
                {
                    await pass(stopping);
                }
            }
            catch
            {
                // the pass logs its own failures; the next request tries again
            }
            finally
            {
                served.TrySetResult();
            }
        }
    }

    /// <summary>Takes the pending request, or marks the drain over in the same lock so no request falls between.</summary>
    private TaskCompletionSource? TakeRequestOrStop()
    {
        lock (_gate)
        {
            if (!_requested)
            {
                _passRunning = false;
                return null;
            }

            _requested = false;
            var served = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return served;
        }
    }
}
