using Orchestrator.Execution.Shell;

namespace Orchestrator.Execution.Tests.Shell;

/// <summary>The bounded line reader against <see cref="TextReader.ReadLine"/> as the oracle, over every short text
/// of 'a', '\r' and '\n', read in chunks of every size (so "\r\n" falls across reads).</summary>
public sealed class ShellOutputPumpTests
{
    [Fact]
    public async Task Lines_AreThoseReadLineReads_InEveryChunking_AndCutToKeepChars()
    {
        foreach (var text in AllTexts("a\r\n", 7))
        {
            var expected = ReadLines(text);
            foreach (var chunk in new[] { 1, 2, 3, 16 })
            {
                foreach (var keep in new[] { 1, 2, 100 })
                {
                    var lines = new List<(string Kept, long Length)>();
                    await ShellOutputPump.PumpAsync(new TricklingReader(text, chunk), keep, (kept, length) => lines.Add((kept, length)));

                    var shown = Show(text);
                    Assert.True(expected.Count == lines.Count, $"{shown} chunk {chunk}: {lines.Count} lines, expected {expected.Count}");
                    for (var i = 0; i < expected.Count; i++)
                    {
                        Assert.True((expected[i][..Math.Min(keep, expected[i].Length)], (long)expected[i].Length) == lines[i],
                            $"{shown} chunk {chunk} keep {keep} line {i}: got ({lines[i].Kept}, {lines[i].Length}) for '{expected[i]}'");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task AHugeLine_IsCountedWithoutBeingHeld()
    {
        var huge = new string('x', 5_000_000);
        var lines = new List<(string Kept, long Length)>();

        await ShellOutputPump.PumpAsync(new StringReader($"{huge}\nshort\n"), 10, (kept, length) => lines.Add((kept, length)));

        Assert.Equal([("xxxxxxxxxx", 5_000_000L), ("short", 5L)], lines);
    }

    private static List<string> ReadLines(string text)
    {
        var reader = new StringReader(text);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    private static IEnumerable<string> AllTexts(string alphabet, int maxLength)
    {
        IEnumerable<string> level = [""];
        for (var length = 0; length <= maxLength; length++)
        {
            foreach (var text in level)
            {
                yield return text;
            }

            level = level.SelectMany(text => alphabet.Select(c => text + c)).ToList();
        }
    }

    private static string Show(string text) => $"'{text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}'";

    /// <summary>Returns at most a few characters per read, as a pipe may.</summary>
    private sealed class TricklingReader(string text, int chunk) : TextReader
    {
        private int _position;

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            var n = Math.Min(Math.Min(chunk, buffer.Length), text.Length - _position);
            text.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}
