using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;

namespace Orchestrator.Loading.CSharp;

/// <summary>Compiles one DAG file with Roslyn into an assembly and its portable PDB (so stack traces from
/// DAG code carry file and line). The file is parsed under its own path so [CallerFilePath] names it.</summary>
internal static class CSharpCompiler
{
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using System.Text.Json;
        global using Microsoft.Extensions.Logging;
        global using Orchestrator.Core.Authoring;
        global using Orchestrator.Core.Model;
        global using Orchestrator.Core.Pools;
        global using Orchestrator.Core.TriggerRules;
        """;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    // Creating metadata references reads hundreds of assemblies: done once per process.
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    private static readonly SyntaxTree GlobalUsingsTree = CSharpSyntaxTree.ParseText(SourceText.From(GlobalUsings, Encoding.UTF8), ParseOptions, path: "<global usings>");

    public sealed record Output(byte[] Assembly, byte[] Pdb, SyntaxTree Tree);

    public static (Output? Output, IReadOnlyList<Diagnostic> Errors) Compile(string path, byte[] content, string assemblyName)
    {
        var text = SourceText.From(content, content.Length, Encoding.UTF8, canBeEmbedded: true);
        var tree = CSharpSyntaxTree.ParseText(text, ParseOptions, path);
        var compilation = CSharpCompilation.Create(
            assemblyName,
            [tree, GlobalUsingsTree],
            References.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: NullableContextOptions.Enable,
                deterministic: true));

        using var assembly = new MemoryStream();
        using var pdb = new MemoryStream();
        var result = compilation.Emit(
            assembly,
            pdb,
            embeddedTexts: [EmbeddedText.FromSource(path, text)],
            options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        return result.Success
            ? (new Output(assembly.ToArray(), pdb.ToArray(), tree), errors)
            : (null, errors);
    }

    /// <summary>Warms the reference cache (benchmarks and servers call this at start).</summary>
    public static int ReferenceCount => References.Value.Length;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet(StringComparer.Ordinal);
        // The authoring API and what it exposes must be there even when the host was not published with them.
        paths.Add(typeof(IDagDefinition).Assembly.Location);
        paths.Add(typeof(ILogger).Assembly.Location);
        paths.Add(typeof(System.Text.Json.JsonElement).Assembly.Location);
        return [.. paths.Where(File.Exists).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}
