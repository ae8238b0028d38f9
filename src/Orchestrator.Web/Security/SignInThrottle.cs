using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Orchestrator.Web.Security;

/// <summary>Slows password guessing: after <see cref="SecurityOptions.MaxFailedSignIns"/> failures in a row for a user
/// name (existing or not, so the lock reveals nothing), that name is refused for <see cref="SecurityOptions.LockoutDuration"/>.
/// A running lock is never shortened: failures while locked leave it as it is. In memory: a restart forgets, which is
/// fine for a brake.</summary>
internal sealed class SignInThrottle
{
    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset LockedUntil)> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly IOptions<SecurityOptions> _options;
    private readonly TimeProvider _time;
    private readonly int _capacity;

    public SignInThrottle(IOptions<SecurityOptions> options, TimeProvider time)
        : this(options, time, capacity: 10_000)
    {
    }

    internal SignInThrottle(IOptions<SecurityOptions> options, TimeProvider time, int capacity)
    {
        _options = options;
        _time = time;
        _capacity = capacity;
    }

    public bool IsLocked(string name)
    {
        var now = _time.GetUtcNow();
        if (_names.TryGetValue(name, out var entry))
        {
            return entry.LockedUntil > now;
        }

        // Every slot holds a running lock (someone sprays names): refuse names we cannot count rather than let them
        // be guessed without limit.
        return !HasRoom(now);
    }

    public void Failed(string name)
    {
        var now = _time.GetUtcNow();
        if (!_names.ContainsKey(name) && !HasRoom(now))
        {
            return; // IsLocked already refuses untracked names while the table is full of locks
        }

        _names.AddOrUpdate(name, _ => Next(0, now), (_, entry) => entry.LockedUntil > now ? entry : Next(entry.Failures, now));
    }

    public void Succeeded(string name) => _names.TryRemove(name, out _);

    private (int Failures, DateTimeOffset LockedUntil) Next(int failures, DateTimeOffset now) =>
        failures + 1 >= _options.Value.MaxFailedSignIns ? (0, now + _options.Value.LockoutDuration) : (failures + 1, DateTimeOffset.MinValue);

    /// <summary>Bounded memory: when full, forget the entries that hold no running lock (counters and ended locks);
    /// running locks are kept.</summary>
    private bool HasRoom(DateTimeOffset now)
    {
        if (_names.Count < _capacity)
        {
            return true;
        }

        foreach (var (name, entry) in _names)
        {
            if (entry.LockedUntil <= now)
            {
                _names.TryRemove(KeyValuePair.Create(name, entry));
            }
        }

        return _names.Count < _capacity;
    }
}
