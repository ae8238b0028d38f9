using System.Diagnostics;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Durations;
using Orchestrator.Core.Model;
using Orchestrator.Core.Validation;

namespace Orchestrator.Loading.CSharp;

/// <summary>Loads <c>*.cs</c> DAG files: compiles each with Roslyn into its own collectible load context, then
/// runs every public <see cref="IDagDefinition"/> class in it. Compile errors, exceptions and a Define that takes
/// too long are import errors. An unchanged file (same version) is not compiled again; a changed file's old
/// context is unloaded.</summary>
public sealed class CSharpDagFileLoader : IDagFileLoader, IDisposable
{
    private const int MaxCompileErrors = 20;

    private readonly DagLoaderOptions _options;
    private readonly Dictionary<string, CachedFile> _cache = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public CSharpDagFileLoader(DagLoaderOptions? options = null)
    {
        _options = options ?? new DagLoaderOptions();
    }

    public bool CanLoad(string path) => path.EndsWith(".cs", StringComparison.OrdinalIgnoreCase);

    public async Task<DagFileLoadResult> LoadAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var version = DagVersion.Of(content);
        lock (_lock)
        {
            if (_cache.TryGetValue(path, out var cached) && cached.Version == version)
            {
                return cached.Result;
            }
        }

        var (result, context) = await CompileAndDefineAsync(path, content, version, cancellationToken);
        lock (_lock)
        {
            if (_cache.Remove(path, out var old))
            {
                old.Context?.Unload();
            }

            _cache[path] = new CachedFile(version, result, context);
        }

        return result;
    }

    /// <summary>Forgets a file (deleted from the folder) and unloads its code.</summary>
    public void Forget(string path)
    {
        lock (_lock)
        {
            if (_cache.Remove(path, out var old))
            {
                old.Context?.Unload();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var file in _cache.Values)
            {
                file.Context?.Unload();
            }

            _cache.Clear();
        }
    }

    private async Task<(DagFileLoadResult Result, DagLoadContext? Context)> CompileAndDefineAsync(
        string path, byte[] content, string version, CancellationToken cancellationToken)
    {
        var (output, errors) = CSharpCompiler.Compile(path, content, $"dag_{version[..16]}");
        if (output is null)
        {
            var importErrors = errors.Take(MaxCompileErrors).Select(error => CompileError(path, error)).ToArray();
            return (DagFileLoadResult.Failed(path, version, importErrors), null);
        }

        var context = new DagLoadContext($"dag:{path}@{version[..12]}");
        Assembly assembly;
        using (var pe = new MemoryStream(output.Assembly))
        using (var pdb = new MemoryStream(output.Pdb))
        {
            assembly = context.LoadFromStream(pe, pdb);
        }

        var definitions = assembly.GetExportedTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(IDagDefinition).IsAssignableFrom(type))
            .ToList();
        if (definitions.Count == 0)
        {
            return (DagFileLoadResult.Failed(path, version, new ImportError(new SourceLocation(path, 1),
                $"no public class implementing {nameof(IDagDefinition)} in this file")), context);
        }

        var dags = new List<LoadedDag>();
        var importErrorsOfFile = new List<ImportError>();
        foreach (var type in definitions)
        {
            var declaredAt = new SourceLocation(path, LineOfClass(output.Tree, type.Name));
            var (dag, dagErrors) = await DefineAsync(type, declaredAt, path, version, cancellationToken);
            if (dag is not null)
            {
                dags.Add(dag);
            }

            importErrorsOfFile.AddRange(dagErrors);
        }

        return (new DagFileLoadResult(path, version, dags, importErrorsOfFile), context);
    }

    private async Task<(LoadedDag? Dag, IReadOnlyList<ImportError> Errors)> DefineAsync(
        Type type, SourceLocation declaredAt, string path, string version, CancellationToken cancellationToken)
    {
        var builder = new DagBuilder(DagBuilder.DefaultIdFor(type), declaredAt);
        // Define runs on its own thread: a DAG that loops forever costs that thread, never the caller.
        var define = Task.Factory.StartNew(
            () => ((IDagDefinition)Activator.CreateInstance(type)!).Define(builder),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            await define.WaitAsync(_options.DefineTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return (null, [new ImportError(declaredAt,
                $"{type.Name}: defining the DAG took longer than {DurationParser.Format(_options.DefineTimeout)}; Define must only declare tasks, not do work")]);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var cause = exception is TargetInvocationException { InnerException: { } inner } ? inner : exception;
            var at = LineIn(cause, path) is { } line ? declaredAt with { Line = line } : declaredAt;
            return (null, [new ImportError(at, $"{type.Name} threw {cause.GetType().Name}: {cause.Message}")]);
        }

        var result = builder.TryBuild(new DagValidationOptions { KnownTaskTypes = _options.KnownTaskTypes });
        if (!result.IsValid)
        {
            return (null, [.. result.Errors.Select(error => new ImportError(error.Location with { File = error.Location.File ?? path }, error.Message))]);
        }

        return (new LoadedDag(result.Dag!, result.Graph!, path, version), []);
    }

    private static ImportError CompileError(string path, Diagnostic error)
    {
        var span = error.Location.GetLineSpan();
        var location = new SourceLocation(path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1);
        return new ImportError(location, $"{error.Id}: {error.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    private static int? LineOfClass(SyntaxTree tree, string name) =>
        tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>()
            .FirstOrDefault(declaration => declaration.Identifier.Text == name)
            ?.GetLocation().GetLineSpan().StartLinePosition.Line + 1;

    /// <summary>The line of the DAG file where the exception was thrown (from the portable PDB).</summary>
    private static int? LineIn(Exception exception, string path) =>
        new StackTrace(exception, fNeedFileInfo: true).GetFrames()
            .FirstOrDefault(frame => frame.GetFileName() == path && frame.GetFileLineNumber() > 0)
            ?.GetFileLineNumber();

    private sealed record CachedFile(string Version, DagFileLoadResult Result, DagLoadContext? Context);
}
