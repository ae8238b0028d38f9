using System.Collections.Concurrent;
using Orchestrator.Core.Model;

namespace Orchestrator.Engine.Dispatch;

/// <summary>A dispatched try waiting in this process for a worker.</summary>
public readonly record struct ReadyTry(RunId RunId, TaskId TaskId, int TryNumber);

/// <summary>What the caller of <see cref="ReadyTries.Add"/> must do.</summary>
public enum DrainRequest
{
    /// <summary>Nothing: the drains already active take the try.</summary>
    None,

    /// <summary>Start a drain: none was active (a lone try, started at once).</summary>
    First,

    /// <summary>Start one more drain beside those active (a burst).</summary>
    Another,
}

/// <summary>The tries dispatched to one Hangfire queue of the embedded engine and not yet taken, with the count of
/// drain jobs that take them. A drain job is a Hangfire job that runs tries from here one after another until none is
/// left; at most <c>maxDrains</c> exist at once (one per worker), so a burst of ready tries costs a few Hangfire
/// jobs instead of one each, while a lone try still gets its own job at once.
/// <para>No try is stranded: <see cref="Add"/> asks for a new drain unless <c>maxDrains</c> are active, and a drain
/// that finds nothing left gives up its place with <see cref="TryRetire"/>, which refuses (the drain goes on) when a
/// try arrived meanwhile and the place could be taken back.</para></summary>
public sealed class ReadyTries(int maxDrains)
{
    private readonly ConcurrentQueue<ReadyTry> _tries = new();
    private int _drains;

    /// <summary>Drain jobs active (enqueued in Hangfire or running).</summary>
    public int Drains => Volatile.Read(ref _drains);

    /// <summary>Tries waiting.</summary>
    public int Count => _tries.Count;

    /// <summary>Adds a try, and says whether the caller must start a new drain job (its place is already counted).</summary>
    public DrainRequest Add(ReadyTry ready)
    {
        _tries.Enqueue(ready);
        return TryTakePlace(out var before) ? before == 0 ? DrainRequest.First : DrainRequest.Another : DrainRequest.None;
    }

    /// <summary>The next try for a drain, or false when none is waiting.</summary>
    public bool TryTake(out ReadyTry ready) => _tries.TryDequeue(out ready);

    /// <summary>A drain that found nothing left: true when it ends (its place is given up); false when a try came in
    /// after its last look and it keeps its place to take it.</summary>
    public bool TryRetire()
    {
        Interlocked.Decrement(ref _drains);
        // An Add between the drain's last look and the decrement may have found every place taken: look again.
        return _tries.IsEmpty || !TryTakePlace(out _);
    }

    private bool TryTakePlace(out int drains)
    {
        while (true)
        {
            drains = Volatile.Read(ref _drains);
            if (drains >= maxDrains)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _drains, drains + 1, drains) == drains)
            {
                return true;
            }
        }
    }
}
