using System.IO.Compression;
using System.Text.Json;

namespace Orchestrator.ML.Models;

/// <summary>Writes a trained model as a package file (see <see cref="ModelPackageFormat"/>).</summary>
public static class ModelPackageWriter
{
    /// <summary>Writes to a temporary file beside <paramref name="path"/> and moves it into place, so a crash never
    /// leaves a half-written package under the final name.</summary>
    public static void Write(MlNetModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var file = File.Create(temporary))
            {
                Write(model, file);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes the package to a stream (left open).</summary>
    public static void Write(MlNetModel model, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        using (var signature = zip.CreateEntry(ModelPackageFormat.SignatureEntry, CompressionLevel.Optimal).Open())
        {
            JsonSerializer.Serialize(signature, SignatureDocument.From(model.Signature, model.Trainer), ModelPackageFormat.Json);
        }

        // The ML.NET model is already compressed: store it as is.
        using var entry = zip.CreateEntry(ModelPackageFormat.ModelEntry, CompressionLevel.NoCompression).Open();
        using var buffer = new MemoryStream();
        model.Context.Model.Save(model.Transformer, ModelInput.DataViewSchemaFor(model.Signature), buffer);
        buffer.Position = 0;
        buffer.CopyTo(entry);
    }
}
