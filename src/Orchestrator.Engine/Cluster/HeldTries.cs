using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>Tries a worker claimed ahead of its free slots, oldest claim first: each starts the moment a slot frees,
/// without a round trip to the database, or is given back once it has waited too long. Thread-safe.</summary>
internal sealed class HeldTries
{
    private readonly Lock _gate = new();
    private readonly LinkedList<(ClaimedTry Try, ClaimBatch Batch)> _held = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    public void Add(IEnumerable<ClaimedTry> tries, ClaimBatch batch)
    {
        lock (_gate)
        {
            foreach (var one in tries)
            {
                _held.AddLast((one, batch));
            }
        }
    }

    /// <summary>Takes up to <paramref name="most"/> tries claimed after <paramref name="claimedAfter"/>, oldest claim
    /// first. An older one is never started: it is due to be given back (a try held past its lease could already run
    /// elsewhere), and it waits in front until it is.</summary>
    public List<(ClaimedTry Try, ClaimBatch Batch)> Take(int most, DateTimeOffset claimedAfter)
    {
        var taken = new List<(ClaimedTry, ClaimBatch)>();
        lock (_gate)
        {
            while (taken.Count < most && _held.First is { } first && first.Value.Batch.ClaimedAt > claimedAfter)
            {
                taken.Add(first.Value);
                _held.RemoveFirst();
            }
        }

        return taken;
    }

    /// <summary>Takes every try claimed at or before <paramref name="claimedBy"/>.</summary>
    public List<(ClaimedTry Try, ClaimBatch Batch)> TakeClaimedBy(DateTimeOffset claimedBy)
    {
        var taken = new List<(ClaimedTry, ClaimBatch)>();
        lock (_gate)
        {
            while (_held.First is { } first && first.Value.Batch.ClaimedAt <= claimedBy)
            {
                taken.Add(first.Value);
                _held.RemoveFirst();
            }
        }

        return taken;
    }

    /// <summary>Puts tries taken but not given back (the database unreachable) back in front, in their order.</summary>
    public void PutBack(IReadOnlyList<(ClaimedTry Try, ClaimBatch Batch)> tries)
    {
        lock (_gate)
        {
            for (var i = tries.Count - 1; i >= 0; i--)
            {
                _held.AddFirst(tries[i]);
            }
        }
    }
}
