namespace Orchestrator.Execution.Shell;

/// <summary>Reads a shell process's stdout or stderr line by line as it is written.</summary>
internal static class ShellOutputPump
{
    public static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            onLine(line);
        }
    }
}
