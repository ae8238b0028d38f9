using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Orchestrator.ML.Models;

/// <summary>Reads model packages written by <see cref="ModelPackageWriter"/>. Every way a file can fail to be a
/// package (not a zip, an entry missing, bad JSON, an unknown format version, an ML.NET model that does not load or
/// does not match the signature) is an <see cref="InvalidDataException"/> naming the file.</summary>
public sealed class ModelPackageReader : IModelPackageReader
{
    public ILoadedModel Read(string path) => ReadModel(path);

    /// <summary>Like <see cref="Read"/>, typed: evaluation needs the transformer inside.</summary>
    public static MlNetModel ReadModel(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model package '{path}' does not exist.", path);
        }

        using var file = File.OpenRead(path);
        return ReadModel(file, path);
    }

    /// <summary>Reads a package from a seekable stream; <paramref name="name"/> names it in errors.</summary>
    public static MlNetModel ReadModel(Stream source, string name)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            using var zip = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
            var document = ReadSignature(zip, name);
            var signature = document.ToSignature();
            Check(signature, name);
            var context = new MLContext(seed: 0);
            var transformer = LoadTransformer(zip, context, name, out var inputSchema);
            CheckInputs(inputSchema, signature, name);
            return new MlNetModel(context, transformer, signature, document.Trainer);
        }
        catch (Exception error) when (!IsOwnError(error, name) && error is not OutOfMemoryException)
        {
            throw new InvalidDataException($"Model package '{name}' cannot be read: {error.Message}", error);
        }
    }

    /// <summary>Errors this reader raises already name the file; anything else (zip, JSON, ML.NET) gets wrapped.</summary>
    private static bool IsOwnError(Exception error, string name) =>
        error is InvalidDataException && error.Message.StartsWith($"Model package '{name}'", StringComparison.Ordinal);

    private static SignatureDocument ReadSignature(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(ModelPackageFormat.SignatureEntry)
            ?? throw new InvalidDataException($"Model package '{name}' has no {ModelPackageFormat.SignatureEntry}.");
        using var stream = entry.Open();
        SignatureDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<SignatureDocument>(stream, ModelPackageFormat.Json);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException(
                $"Model package '{name}': {ModelPackageFormat.SignatureEntry} is not valid ({error.Message}).", error);
        }

        if (document is null)
        {
            throw new InvalidDataException($"Model package '{name}': {ModelPackageFormat.SignatureEntry} is empty.");
        }

        if (document.FormatVersion != ModelPackageFormat.Version)
        {
            throw new InvalidDataException(
                $"Model package '{name}' has format version {document.FormatVersion}; this build reads version {ModelPackageFormat.Version}.");
        }

        return document;
    }

    private static void Check(ModelSignature signature, string name)
    {
        string? problem = null;
        if (string.IsNullOrEmpty(signature.Label))
        {
            problem = "the label is empty";
        }
        else if (signature.Inputs is null || signature.Inputs.Count == 0)
        {
            problem = "it has no inputs";
        }
        else if (signature.Task == MlTask.Binary && signature.Classes?.Count != 2)
        {
            problem = "a binary model needs exactly 2 classes";
        }
        else if (signature.Task == MlTask.Multiclass && (signature.Classes is null || signature.Classes.Count < 2))
        {
            problem = "a multiclass model needs at least 2 classes";
        }

        if (problem is not null)
        {
            throw new InvalidDataException($"Model package '{name}': {ModelPackageFormat.SignatureEntry} is not valid: {problem}.");
        }
    }

    private static ITransformer LoadTransformer(ZipArchive zip, MLContext context, string name, out DataViewSchema inputSchema)
    {
        var entry = zip.GetEntry(ModelPackageFormat.ModelEntry)
            ?? throw new InvalidDataException($"Model package '{name}' has no {ModelPackageFormat.ModelEntry}.");

        // ML.NET reads its model as a zip too, which needs a seekable stream.
        using var buffer = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(buffer);
        }

        buffer.Position = 0;
        return context.Model.Load(buffer, out inputSchema);
    }

    private static void CheckInputs(DataViewSchema inputSchema, ModelSignature signature, string name)
    {
        CheckVector(inputSchema, ModelColumns.Numeric, signature.NumericInputs.Count, name);
        CheckVector(inputSchema, ModelColumns.Categorical, signature.CategoricalInputs.Count, name);
    }

    private static void CheckVector(DataViewSchema inputSchema, string column, int expected, string name)
    {
        var actual = inputSchema.GetColumnOrNull(column)?.Type is VectorDataViewType vector ? vector.Size : 0;
        if (actual != expected)
        {
            throw new InvalidDataException(
                $"Model package '{name}': the model takes {actual} {column.ToLowerInvariant()} inputs but its signature lists {expected}.");
        }
    }
}

