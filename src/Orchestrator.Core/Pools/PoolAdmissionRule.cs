namespace Orchestrator.Core.Pools;

/// <summary>A task instance waiting for slots of a pool.</summary>
/// <param name="Key">What identifies it to the caller (run, task, try).</param>
/// <param name="Slots">How many slots it takes while queued or running (its <c>poolSlots</c>).</param>
/// <param name="Priority">Its effective priority weight (<see cref="PriorityWeights"/>).</param>
/// <param name="WaitingSince">When it started waiting: among equal priorities the longest-waiting goes first.</param>
public readonly record struct PoolWaiter<TKey>(TKey Key, int Slots, int Priority, DateTimeOffset WaitingSince);

/// <summary>Which waiting task instances a pool admits now: highest effective priority first, then the longest
/// waiting, then the key's order (stable for equal times); a task needing more slots than are open is passed over and
/// the next one considered, as Airflow's scheduler does. Pure: the store applies it inside the transaction that holds
/// the pool's row lock. Every waiter must take at least one slot (an <see cref="ArgumentException"/> otherwise).</summary>
public static class PoolAdmissionRule
{
    public static IReadOnlyList<PoolWaiter<TKey>> Choose<TKey>(int openSlots, IEnumerable<PoolWaiter<TKey>> waiting, IComparer<TKey>? keyOrder = null)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        var candidates = waiting.ToList();

        // A waiter of 0 or fewer slots would be admitted for free and, if negative, hand its "slots" to the next ones,
        // letting the pool run over its size: refuse the input rather than break the limit.
        foreach (var waiter in candidates.Where(w => w.Slots < 1))
        {
            throw new ArgumentException($"waiter {waiter.Key} needs {waiter.Slots} slots; every waiter takes at least 1", nameof(waiting));
        }

        var admitted = new List<PoolWaiter<TKey>>();
        var order = keyOrder ?? Comparer<TKey>.Default;
        foreach (var waiter in candidates.OrderByDescending(w => w.Priority).ThenBy(w => w.WaitingSince).ThenBy(w => w.Key, order))
        {
            if (openSlots <= 0)
            {
                break;
            }

            if (waiter.Slots <= openSlots)
            {
                admitted.Add(waiter);
                openSlots -= waiter.Slots;
            }
        }

        return admitted;
    }
}
