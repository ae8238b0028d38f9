using System.Security.Cryptography;
using Orchestrator.ML.Models;

namespace Orchestrator.ML.Tests.Models;

/// <summary>The package's bytes are a function of the model: the same model trained again from the same data and seed
/// writes the same bytes, so its artifact digest proves reproducibility and the artifact store keeps one copy.</summary>
public sealed class PackageDigestTests
{
    [Theory]
    [InlineData(MlTask.Regression)]
    [InlineData(MlTask.Binary)]
    [InlineData(MlTask.Multiclass)]
    public void The_same_model_trained_twice_writes_the_same_package_bytes(MlTask task)
    {
        using var first = TinyModels.Train(task, seed: 3);
        using var second = TinyModels.Train(task, seed: 3);

        Assert.Equal(Digest(first), Digest(second));
    }

    [Fact]
    public void A_model_trained_on_another_seed_writes_other_bytes()
    {
        using var first = TinyModels.Train(MlTask.Regression, seed: 3);
        using var other = TinyModels.Train(MlTask.Regression, seed: 4);

        Assert.NotEqual(Digest(first), Digest(other));
    }

    [Fact]
    public void No_entry_of_the_package_or_of_the_model_inside_carries_the_time_it_was_written()
    {
        // Zip times have a 2-second resolution, so two quick trainings can match by luck: check the times themselves.
        using var model = TinyModels.Train(MlTask.Binary, seed: 3);
        using var bytes = new MemoryStream();
        ModelPackageWriter.Write(model, bytes);

        bytes.Position = 0;
        using var package = new System.IO.Compression.ZipArchive(bytes);
        Assert.All(package.Entries, entry => Assert.Equal(1980, entry.LastWriteTime.Year));
        using var inner = new MemoryStream();
        using (var stream = package.GetEntry(ModelPackageFormat.ModelEntry)!.Open())
        {
            stream.CopyTo(inner);
        }

        inner.Position = 0;
        using var mlnet = new System.IO.Compression.ZipArchive(inner);
        Assert.NotEmpty(mlnet.Entries);
        Assert.All(mlnet.Entries, entry => Assert.Equal(1980, entry.LastWriteTime.Year));
    }

    private static string Digest(MlNetModel model)
    {
        using var bytes = new MemoryStream();
        ModelPackageWriter.Write(model, bytes);
        return Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray()));
    }
}
