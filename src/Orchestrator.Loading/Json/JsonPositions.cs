using System.Text;
using System.Text.Json;

namespace Orchestrator.Loading.Json;

/// <summary>The 1-based line and column of every JSON path in a document (<c>tasks[2].dependsOn[0]</c>), so an
/// error about a field can point at the exact place in the file. Columns count characters, not bytes.
/// The same walk finds duplicate keys, which System.Text.Json accepts silently (the last one wins).</summary>
internal sealed class JsonPositions
{
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal);
    private readonly List<DuplicateKey> _duplicates = [];
    private readonly LineTable _lines;

    private JsonPositions(LineTable lines) => _lines = lines;

    public static JsonPositions Read(byte[] content, JsonReaderOptions options)
    {
        var lines = new LineTable(content);
        var positions = new JsonPositions(lines);
        var reader = new Utf8JsonReader(content, options);
        var frames = new Stack<Frame>();
        string? pendingProperty = null;
        while (reader.Read())
        {
            var offset = (int)reader.TokenStartIndex;
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    var frame = frames.Peek();
                    var name = reader.GetString()!;
                    var position = lines.Position(offset);
                    pendingProperty = Join(frame.Path, name);
                    if (!frame.Keys.TryAdd(name, position))
                    {
                        positions._duplicates.Add(new DuplicateKey(pendingProperty, name, frame.Keys[name], position));
                    }
                    else
                    {
                        positions._positions[pendingProperty] = position;
                    }

                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.Pop();
                    break;
                default:
                    var path = ValuePath(frames, ref pendingProperty);
                    positions._positions.TryAdd(path, lines.Position(offset));
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        frames.Push(new Frame(path, reader.TokenType == JsonTokenType.StartArray));
                    }

                    break;
            }
        }

        return positions;
    }

    /// <summary>Every key that appears a second (third…) time in the same object, in document order.</summary>
    public IReadOnlyList<DuplicateKey> Duplicates => _duplicates;

    /// <summary>The position of <paramref name="path"/>, or of its nearest parent that has one.</summary>
    public (int Line, int Column)? Find(string? path)
    {
        while (path is not null)
        {
            if (_positions.TryGetValue(path, out var position))
            {
                return position;
            }

            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            path = cut > 0 ? path[..cut] : cut == 0 ? null : path.Length > 0 ? "" : null;
        }

        return null;
    }

    /// <summary>A line table alone, for documents that failed to parse.</summary>
    public static LineTable LineStarts(byte[] content) => new(content);

    private static string ValuePath(Stack<Frame> frames, ref string? pendingProperty)
    {
        if (frames.Count == 0)
        {
            return "";
        }

        var frame = frames.Peek();
        if (frame.IsArray)
        {
            return $"{frame.Path}[{frame.NextIndex++}]";
        }

        var path = pendingProperty ?? frame.Path;
        pendingProperty = null;
        return path;
    }

    private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;

        public bool IsArray { get; } = isArray;

        public int NextIndex { get; set; }

        /// <summary>The keys seen so far in this object (compared after unescaping, as the parser does).</summary>
        public Dictionary<string, (int Line, int Column)> Keys { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>A key repeated in one object: where it was first, and where it came again.</summary>
    internal sealed record DuplicateKey(string Path, string Name, (int Line, int Column) First, (int Line, int Column) Again);

    /// <summary>Byte offsets where lines start, to turn offsets into (line, character column).</summary>
    internal sealed class LineTable
    {
        private readonly byte[] _content;
        private readonly List<int> _starts = [0];

        public LineTable(byte[] content)
        {
            _content = content;
            for (var i = 0; i < content.Length; i++)
            {
                if (content[i] == (byte)'\n')
                {
                    _starts.Add(i + 1);
                }
            }
        }

        public (int Line, int Column) Position(int offset)
        {
            var line = _starts.BinarySearch(offset);
            line = line >= 0 ? line : ~line - 1;
            return PositionInLine(line, offset - _starts[line]);
        }

        public (int Line, int Column) PositionInLine(int line, int byteInLine)
        {
            line = Math.Clamp(line, 0, _starts.Count - 1);
            var start = _starts[line];
            var length = Math.Clamp(byteInLine, 0, _content.Length - start);
            var bomSkip = line == 0 && length >= 3 && _content[0] == 0xEF && _content[1] == 0xBB && _content[2] == 0xBF ? 3 : 0;
            return (line + 1, Encoding.UTF8.GetCharCount(_content, start + bomSkip, length - bomSkip) + 1);
        }
    }
}
