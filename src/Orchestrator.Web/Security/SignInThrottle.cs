using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Orchestrator.Web.Security;

/// <summary>Slows password guessing: after <see cref="SecurityOptions.MaxFailedSignIns"/> failures in a row for a user
/// name (existing or not, so the lock reveals nothing), that name is refused for <see cref="SecurityOptions.LockoutDuration"/>.
/// In memory: a restart forgets, which is fine for a brake.</summary>
internal sealed class SignInThrottle(IOptions<SecurityOptions> options, TimeProvider time)
{
    private const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset LockedUntil)> _names = new(StringComparer.OrdinalIgnoreCase);

    public bool IsLocked(string name) => _names.TryGetValue(name, out var entry) && entry.LockedUntil > time.GetUtcNow();

    public void Failed(string name)
    {
        if (_names.Count >= MaxTracked)
        {
            _names.Clear(); // bounded memory beats a perfect count when someone sprays names
        }

        var now = time.GetUtcNow();
        _names.AddOrUpdate(name, _ => Next(0, now), (_, entry) => Next(entry.Failures, now));
    }

    private (int Failures, DateTimeOffset LockedUntil) Next(int failures, DateTimeOffset now) =>
        failures + 1 >= options.Value.MaxFailedSignIns ? (0, now + options.Value.LockoutDuration) : (failures + 1, DateTimeOffset.MinValue);

    public void Succeeded(string name) => _names.TryRemove(name, out _);
}
