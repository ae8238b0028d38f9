using System.IO.Compression;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Orchestrator.ML.Models;

namespace Orchestrator.ML.Tests.Models;

public sealed class ModelPackageTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("ml-package-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private sealed class DirectOutput
    {
        public float Score { get; set; }
    }

    private sealed class DirectBinaryOutput
    {
        public bool PredictedLabel { get; set; }

        public float Probability { get; set; }

        public float Score { get; set; }
    }

    private sealed class DirectMulticlassOutput
    {
        public float[] Score { get; set; } = [];
    }

    [Theory]
    [InlineData(MlTask.Regression)]
    [InlineData(MlTask.Binary)]
    [InlineData(MlTask.Multiclass)]
    public void A_read_package_predicts_what_the_trained_pipeline_predicts_on_its_data_view(MlTask task)
    {
        using var trained = TinyModels.Train(task);
        var path = Path.Combine(folder, "model.mlpkg");
        ModelPackageWriter.Write(trained, path);
        using var loaded = new ModelPackageReader().Read(path);

        var rows = TinyModels.Rows(60, seed: 99);
        var scored = trained.Transformer.Transform(TinyModels.Data(trained.Context, rows));
        var readScorer = loaded.CreateScorer();
        var trainedScorer = trained.CreateScorer();
        var predictions = rows.Select(row => readScorer.Predict(TinyModels.ToModelRow(row))).ToList();
        Assert.Equal(rows.Select(row => trainedScorer.Predict(TinyModels.ToModelRow(row))).Select(Describe), predictions.Select(Describe));

        switch (task)
        {
            case MlTask.Regression:
                var expected = trained.Context.Data.CreateEnumerable<DirectOutput>(scored, reuseRowObject: false).ToList();
                Assert.Equal(expected.Select(output => (double)output.Score), predictions.Select(prediction => prediction.Value!.Value));
                break;
            case MlTask.Binary:
                var binary = trained.Context.Data.CreateEnumerable<DirectBinaryOutput>(scored, reuseRowObject: false).ToList();
                Assert.Equal(binary.Select(output => output.PredictedLabel ? "yes" : "no"), predictions.Select(prediction => prediction.Label));
                Assert.Equal(binary.Select(output => (double)output.Probability), predictions.Select(prediction => prediction.Probability!.Value));
                Assert.Equal(binary.Select(output => (double)output.Score), predictions.Select(prediction => prediction.Score!.Value));
                Assert.Contains(predictions, prediction => prediction.Label == "yes");
                Assert.Contains(predictions, prediction => prediction.Label == "no");
                break;
            default:
                var multiclass = trained.Context.Data.CreateEnumerable<DirectMulticlassOutput>(scored, reuseRowObject: false).ToList();
                Assert.Equal(multiclass.SelectMany(output => output.Score), predictions.SelectMany(prediction => prediction.Scores!));
                Assert.Equal(
                    multiclass.Select(output => new[] { "low", "mid", "high" }[Array.IndexOf(output.Score, output.Score.Max())]),
                    predictions.Select(prediction => prediction.Label));
                Assert.True(predictions.Select(prediction => prediction.Label).Distinct().Count() >= 2);
                break;
        }
    }

    [Fact]
    public void The_signature_survives_the_round_trip()
    {
        using var trained = TinyModels.Train(MlTask.Multiclass);
        var path = Path.Combine(folder, "model.mlpkg");
        ModelPackageWriter.Write(trained, path);
        using var loaded = ModelPackageReader.ReadModel(path);

        Assert.Equal(MlTask.Multiclass, loaded.Signature.Task);
        Assert.Equal("target", loaded.Signature.Label);
        Assert.Equal(TinyModels.Inputs, loaded.Signature.Inputs);
        Assert.Equal(["low", "mid", "high"], loaded.Signature.Classes!);
        Assert.Equal("tiny", loaded.Trainer);
    }

    [Fact]
    public void Scorers_of_one_loaded_model_work_side_by_side_on_threads()
    {
        using var trained = TinyModels.Train(MlTask.Regression);
        var rows = TinyModels.Rows(200, seed: 5);
        var expected = rows.Select(row => trained.CreateScorer().Predict(TinyModels.ToModelRow(row)).Value).ToArray();
        var results = new double?[4][];
        Parallel.For(0, 4, thread =>
        {
            var scorer = trained.CreateScorer();
            results[thread] = [.. rows.Select(row => scorer.Predict(TinyModels.ToModelRow(row)).Value)];
        });
        Assert.All(results, result => Assert.Equal(expected, result));
    }

    [Fact]
    public void A_row_of_the_wrong_width_is_refused_with_the_expected_inputs()
    {
        using var trained = TinyModels.Train(MlTask.Regression);
        var error = Assert.Throws<ArgumentException>(() => trained.CreateScorer().Predict(new ModelRow([1f], ["red"])));
        Assert.Contains("1 numeric values", error.Message, StringComparison.Ordinal);
        Assert.Contains("x, y", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_category_scores_like_an_empty_one()
    {
        using var trained = TinyModels.Train(MlTask.Regression);
        var scorer = trained.CreateScorer();
        Assert.Equal(scorer.Predict(new ModelRow([1f, 2f], [""])), scorer.Predict(new ModelRow([1f, 2f], [null])));
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_refused_naming_the_file()
    {
        var path = Path.Combine(folder, "junk.mlpkg");
        File.WriteAllText(path, "not a model");
        var error = Assert.Throws<InvalidDataException>(() => new ModelPackageReader().Read(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_package_is_refused_naming_the_file()
    {
        using var trained = TinyModels.Train(MlTask.Regression);
        var path = Path.Combine(folder, "model.mlpkg");
        ModelPackageWriter.Write(trained, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => new ModelPackageReader().Read(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("signature.json", "{ not json", "signature.json is not valid")]
    [InlineData("signature.json", """{"formatVersion":2,"task":"regression","label":"y","inputs":[{"name":"x","kind":"numeric"}]}""", "format version 2")]
    [InlineData("signature.json", """{"formatVersion":1,"task":"binary","label":"y","inputs":[{"name":"x","kind":"numeric"}],"classes":["a"]}""", "exactly 2 classes")]
    [InlineData("other.txt", "", "has no signature.json")]
    public void A_package_with_a_bad_signature_is_refused_saying_what_is_wrong(string entry, string content, string expected)
    {
        var path = Path.Combine(folder, "bad.mlpkg");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var stream = zip.CreateEntry(entry).Open();
            stream.Write(Encoding.UTF8.GetBytes(content));
        }

        var error = Assert.Throws<InvalidDataException>(() => new ModelPackageReader().Read(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_that_does_not_match_the_model_is_refused()
    {
        using var trained = TinyModels.Train(MlTask.Regression);
        var path = Path.Combine(folder, "model.mlpkg");
        ModelPackageWriter.Write(trained, path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry(ModelPackageFormat.SignatureEntry)!.Delete();
            using var stream = zip.CreateEntry(ModelPackageFormat.SignatureEntry).Open();
            stream.Write(Encoding.UTF8.GetBytes(
                """{"formatVersion":1,"task":"regression","label":"target","inputs":[{"name":"x","kind":"numeric"},{"name":"colour","kind":"categorical"}]}"""));
        }

        var error = Assert.Throws<InvalidDataException>(() => new ModelPackageReader().Read(path));
        Assert.Contains("takes 2 numeric inputs but its signature lists 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_file_not_found_error()
    {
        Assert.Throws<FileNotFoundException>(() => new ModelPackageReader().Read(Path.Combine(folder, "absent.mlpkg")));
    }

    private static string Describe(Prediction prediction) =>
        $"{prediction.Value}|{prediction.Label}|{prediction.Probability}|{prediction.Score}|{string.Join(',', prediction.Scores ?? [])}";
}
