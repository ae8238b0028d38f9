namespace Orchestrator.Storage.Records;

/// <summary>Alert states as stored and shown: lower-case names.</summary>
public static class AlertStates
{
    public static string Name(AlertState state) => state switch
    {
        AlertState.Recorded => "recorded",
        AlertState.Pending => "pending",
        AlertState.Sent => "sent",
        AlertState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown alert state"),
    };

    public static bool TryParse(string? name, out AlertState state)
    {
        foreach (var candidate in Enum.GetValues<AlertState>())
        {
            if (string.Equals(Name(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }
}
