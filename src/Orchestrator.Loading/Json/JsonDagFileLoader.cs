using System.Text.Json;
using Orchestrator.Core.Validation;

namespace Orchestrator.Loading.Json;

/// <summary>Loads <c>*.json</c> DAG files (DESIGN.md's format; schema in docs/dag.schema.json). Comments and
/// trailing commas are accepted. Every error names the file, line, column and field.</summary>
public sealed class JsonDagFileLoader : IDagFileLoader
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly DagValidationOptions _validation;

    public JsonDagFileLoader(DagLoaderOptions? options = null)
    {
        _validation = new DagValidationOptions { KnownTaskTypes = options?.KnownTaskTypes };
    }

    public bool CanLoad(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    public Task<DagFileLoadResult> LoadAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return Task.FromResult(Load(path, content));
    }

    private DagFileLoadResult Load(string path, byte[] content)
    {
        var version = DagVersion.Of(content);
        JsonDocument document;
        JsonPositions positions;
        try
        {
            document = JsonDocument.Parse(content, DocumentOptions);
            positions = JsonPositions.Read(content, ReaderOptions);
        }
        catch (JsonException exception)
        {
            return DagFileLoadResult.Failed(path, version, SyntaxError(path, content, exception));
        }

        using (document)
        {
            if (positions.Duplicates.Count > 0)
            {
                // The parsed document kept only the last value: reading it would hide the author's mistake.
                return new DagFileLoadResult(path, version, [], positions.Duplicates.Select(duplicate => DuplicateKeyError(path, duplicate)).ToList());
            }

            var fields = new JsonFields(path, positions);
            var builder = new JsonDagReader(fields, path).Read(document.RootElement);
            if (builder is null || fields.Errors.Count > 0)
            {
                return new DagFileLoadResult(path, version, [], fields.Errors);
            }

            var result = builder.TryBuild(_validation);
            if (!result.IsValid)
            {
                var errors = result.Errors.Select(error => Locate(error, positions, path)).ToList();
                return new DagFileLoadResult(path, version, [], errors);
            }

            return new DagFileLoadResult(path, version, [new LoadedDag(result.Dag!, result.Graph!, path, version)], []);
        }
    }

    /// <summary>Points a validation error at the exact line of the JSON field it is about.</summary>
    private static ImportError Locate(DagError error, JsonPositions positions, string path)
    {
        var position = positions.Find(error.Location.Field ?? "");
        var location = error.Location with
        {
            File = path,
            Line = position?.Line ?? error.Location.Line,
            Column = position?.Column ?? error.Location.Column,
        };
        return new ImportError(location, error.Message);
    }

    private static ImportError DuplicateKeyError(string path, JsonPositions.DuplicateKey duplicate)
    {
        var (line, column) = duplicate.Again;
        var first = duplicate.First;
        return new ImportError(
            new Core.Model.SourceLocation(path, line, column, duplicate.Path),
            $"duplicate key '{duplicate.Name}' at line {line}, column {column}; first at line {first.Line}, column {first.Column}");
    }

    private static ImportError SyntaxError(string path, byte[] content, JsonException exception)
    {
        var lines = JsonPositions.LineStarts(content);
        var (line, column) = lines.PositionInLine((int)(exception.LineNumber ?? 0), (int)(exception.BytePositionInLine ?? 0));
        // System.Text.Json's message ends with its own 0-based position; ours replaces it.
        var message = exception.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        message = cut > 0 ? message[..cut] : message;
        if (message.Contains("Expected depth to be zero", StringComparison.Ordinal))
        {
            message = "the file ends before every '{' and '[' is closed";
        }

        return new ImportError(new Core.Model.SourceLocation(path, line, column), $"invalid JSON: {message.TrimEnd('.', ' ')}");
    }
}
