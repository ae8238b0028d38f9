namespace Orchestrator.Engine.Cluster;

/// <summary>A worker process's tries at once (<c>--concurrency</c>), shared by both ways a try reaches it: the fast
/// claim from the store takes as many free slots as it can use without waiting, a Hangfire batch job waits for one
/// slot per try. Neither queues ahead of the other: a freed slot goes to whichever asks first.</summary>
internal sealed class WorkerSlots
{
    private readonly Lock _gate = new();
    private int _free;
    private TaskCompletionSource _freed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WorkerSlots(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Count = count;
        _free = count;
    }

    public int Count { get; }

    public int Free
    {
        get
        {
            lock (_gate)
            {
                return _free;
            }
        }
    }

    /// <summary>Takes up to <paramref name="most"/> free slots without waiting; returns how many it took.</summary>
    public int TryTake(int most)
    {
        lock (_gate)
        {
            var taken = Math.Min(most, _free);
            _free -= taken;
            return taken;
        }
    }

    /// <summary>Waits for one free slot and takes it.</summary>
    public async Task TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task freed;
            lock (_gate)
            {
                if (_free > 0)
                {
                    _free--;
                    return;
                }

                freed = _freed.Task;
            }

            await freed.WaitAsync(cancellationToken);
        }
    }

    public void Release(int count = 1)
    {
        TaskCompletionSource freed;
        lock (_gate)
        {
            _free += count;
            if (_free > Count)
            {
                throw new InvalidOperationException($"more slots released than taken ({_free} free of {Count})");
            }

            (freed, _freed) = (_freed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        freed.TrySetResult();
    }
}
