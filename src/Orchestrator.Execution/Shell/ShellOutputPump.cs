using System.Text;

namespace Orchestrator.Execution.Shell;

/// <summary>Reads a shell process's stdout or stderr line by line as it is written, in bounded memory: of each line
/// at most <c>keepChars</c> characters are held, the rest is only counted, so one 50 MB line costs no more than a
/// short one. Lines end at "\n", "\r\n" or a lone "\r", as <see cref="TextReader.ReadLine"/> reads them.</summary>
internal static class ShellOutputPump
{
    private const int ChunkChars = 16 * 1024;

    // onLine gets each line's first keepChars characters and the line's full length.
    public static async Task PumpAsync(TextReader reader, int keepChars, Action<string, long> onLine)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keepChars);
        var chunk = new char[ChunkChars];
        var line = new StringBuilder();
        long length = 0;
        var afterCarriageReturn = false;
        int read;
        while ((read = await reader.ReadAsync(chunk.AsMemory())) > 0)
        {
            var rest = chunk.AsSpan(0, read);
            if (afterCarriageReturn && rest[0] == '\n')
            {
                rest = rest[1..]; // the "\n" of a "\r\n" split across two reads
            }

            afterCarriageReturn = false;
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOfAny('\r', '\n');
                var text = end < 0 ? rest : rest[..end];
                var room = keepChars - line.Length;
                line.Append(text[..Math.Min(room, text.Length)]);
                length += text.Length;
                if (end < 0)
                {
                    break;
                }

                Emit();
                if (rest[end] == '\r')
                {
                    if (end + 1 == rest.Length)
                    {
                        afterCarriageReturn = true;
                    }
                    else if (rest[end + 1] == '\n')
                    {
                        end++;
                    }
                }

                rest = rest[(end + 1)..];
            }
        }

        if (length > 0)
        {
            Emit();
        }

        void Emit()
        {
            onLine(line.ToString(), length);
            line.Clear();
            length = 0;
            if (line.Capacity > ChunkChars)
            {
                line.Capacity = ChunkChars; // a long line's buffer is not kept for the short ones after it
            }
        }
    }
}
