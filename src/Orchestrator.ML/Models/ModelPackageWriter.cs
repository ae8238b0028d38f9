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

    /// <summary>Zip entries carry a modification time; a fixed one keeps the bytes a function of the model alone, so the
    /// same model retrained from the same data, params and seed has the same digest (and is stored once).</summary>
    private static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes the package to a stream (left open).</summary>
    public static void Write(MlNetModel model, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        var signatureEntry = zip.CreateEntry(ModelPackageFormat.SignatureEntry, CompressionLevel.Optimal);
        signatureEntry.LastWriteTime = EntryTime;
        using (var signature = signatureEntry.Open())
        {
            JsonSerializer.Serialize(signature, SignatureDocument.From(model.Signature, model.Trainer), ModelPackageFormat.Json);
        }

        // The ML.NET model is already compressed: store it as is (its own entries' times normalised too).
        var modelEntry = zip.CreateEntry(ModelPackageFormat.ModelEntry, CompressionLevel.NoCompression);
        modelEntry.LastWriteTime = EntryTime;
        using var entry = modelEntry.Open();
        using var saved = new MemoryStream();
        model.Context.Model.Save(model.Transformer, ModelInput.DataViewSchemaFor(model.Signature), saved);
        using var normalised = WithFixedEntryTimes(saved);
        normalised.CopyTo(entry);
    }

    /// <summary>A copy of a zip with every entry's time set to <see cref="EntryTime"/>, entries and bytes otherwise as they
    /// were (stored, not recompressed: ML.NET's entries are read back exactly).</summary>
    private static MemoryStream WithFixedEntryTimes(MemoryStream source)
    {
        source.Position = 0;
        var copy = new MemoryStream();
        using (var from = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true))
        using (var to = new ZipArchive(copy, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var item in from.Entries)
            {
                var target = to.CreateEntry(item.FullName, CompressionLevel.Optimal);
                target.LastWriteTime = EntryTime;
                using var input = item.Open();
                using var output = target.Open();
                input.CopyTo(output);
            }
        }

        copy.Position = 0;
        return copy;
    }
}
