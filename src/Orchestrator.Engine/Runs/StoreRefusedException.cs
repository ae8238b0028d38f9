namespace Orchestrator.Engine.Runs;

/// <summary>A commit whose compare-and-set conditions no longer held: nothing of it was written (unlike a failure
/// of the database, after which its outcome is unknown). An operator's change can then re-read and decide again.</summary>
public sealed class StoreRefusedException(string message) : InvalidOperationException(message);
