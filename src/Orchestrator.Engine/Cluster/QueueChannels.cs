using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Engine.Cluster;

/// <summary>The signal channel of a task queue (<see cref="Storage.IStoreSignals"/>): a scheduler's flush notifies it,
/// the workers serving the queue listen on it. PostgreSQL limits a channel name to 63 characters, so a long queue name
/// is shortened with a hash of it (two queues sharing a channel would only wake each other's workers needlessly).</summary>
public static class QueueChannels
{
    // The store prefixes its schema name (up to ≈ 40 characters in the test suites): 20 characters are left here.
    private const int MaxQueueLength = 16;

    public static string Of(string queue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        if (queue.Length <= MaxQueueLength)
        {
            return "q_" + queue;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(queue)))[..10];
        return $"q_{queue[..6]}_{hash}";
    }
}
