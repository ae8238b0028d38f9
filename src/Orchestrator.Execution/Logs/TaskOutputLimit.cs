using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Orchestrator.Execution.TaskTypes;

namespace Orchestrator.Execution.Logs;

/// <summary>The output cap for every task type: an output is stored, handed to every downstream task and kept in
/// the engine's memory for the whole run, so a large one belongs in a file or an artifact.</summary>
public static class TaskOutputLimit
{
    /// <summary>Throws <see cref="TaskFailedException"/> when <paramref name="output"/> is larger than
    /// <paramref name="maxBytes"/> UTF-8 bytes: a text output counts its text (what the task printed, without the JSON
    /// quotes and escapes); an object, array or number counts its JSON.</summary>
    public static void Check(JsonElement? output, long maxBytes)
    {
        if (output is not { } element)
        {
            return;
        }

        // Measured without serialising again: the element's own UTF-8 JSON, or its decoded text for a string.
        var size = element.ValueKind == JsonValueKind.String
            ? System.Text.Encoding.UTF8.GetByteCount(element.GetString()!)
            : JsonMarshal.GetRawUtf8Value(element).Length;
        if (size > maxBytes)
        {
            throw new TaskFailedException(TooLarge($"the task's output is {Size(size)}", maxBytes));
        }
    }

    internal static string TooLarge(string what, long maxBytes) =>
        $"{what}, more than the output limit of {Size(maxBytes)}: an output is stored and passed to every downstream task, "
        + "so write large results to a file (or an artifact) and make its path the output instead";

    internal static string Size(long bytes) => bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0
        ? $"{bytes / (1024 * 1024)} MB"
        : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes");
}
