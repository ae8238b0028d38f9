using System.Text.Encodings.Web;
using System.Text.Json;
using Orchestrator.Loading;

namespace Orchestrator.Cli.Output;

internal static class JsonOutput
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>For the application layer's records: camelCase names, as the REST API writes them.</summary>
    public static JsonSerializerOptions CamelCase { get; } = new(Options) { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}

/// <summary>How an import error is shown: as a line ("file:line:col (field): message") or as JSON.</summary>
internal static class ImportErrorJson
{
    public static object From(ImportError error) => new
    {
        file = Commands.DagSources.Display(error.File),
        line = error.Location.Line,
        column = error.Location.Column,
        field = error.Location.Field,
        message = error.Message,
    };

    public static string Describe(ImportError error) =>
        new ImportError(error.Location with { File = Commands.DagSources.Display(error.File) }, error.Message).ToString();
}
