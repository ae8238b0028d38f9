using Orchestrator.Loading.Folder;
using Orchestrator.Loading.Json;

namespace Orchestrator.Loading.Tests.Folder;

public sealed class DagFolderLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-dags-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task BrokenFile_NeverStopsTheOthers()
    {
        Write("good.json", Dag("good"));
        Write("broken.json", "{ \"id\": ");
        Write("nested/also_good.json", Dag("also_good"));
        Write(".hidden/ignored.json", Dag("hidden"));
        Write("bin/ignored.json", Dag("built"));
        Write("notes.txt", "not a dag");

        var snapshot = await CreateSut().LoadAsync(_folder, CancellationToken.None);

        Assert.Equal(["also_good", "good"], snapshot.Dags.Keys.Select(id => id.Value).Order());
        var error = Assert.Single(snapshot.ImportErrors);
        Assert.EndsWith("broken.json", error.File, StringComparison.Ordinal);
        Assert.Equal(3, snapshot.FileVersions.Count);
    }

    [Fact]
    public async Task SameDagIdInTwoFiles_TheSecondIsAnImportError()
    {
        Write("a.json", Dag("etl"));
        Write("b.json", Dag("etl"));

        var snapshot = await CreateSut().LoadAsync(_folder, CancellationToken.None);

        Assert.EndsWith("a.json", Assert.Single(snapshot.Dags).Value.FilePath, StringComparison.Ordinal);
        var error = Assert.Single(snapshot.ImportErrors);
        Assert.EndsWith("b.json", error.File, StringComparison.Ordinal);
        Assert.Contains("DAG id 'etl' is already defined in", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFolder_IsAClearError()
    {
        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => CreateSut().LoadAsync(Path.Combine(_folder, "nope"), CancellationToken.None));

        Assert.Contains("does not exist (set it with --dags DIR)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoaderThatThrows_BecomesAnImportErrorForItsFile()
    {
        Write("x.json", Dag("x"));
        var loader = new DagFolderLoader([new ThrowingLoader()]);

        var snapshot = await loader.LoadAsync(_folder, CancellationToken.None);

        Assert.Equal("loading failed: boom", Assert.Single(snapshot.ImportErrors).Message);
    }

    private static DagFolderLoader CreateSut() => new([new JsonDagFileLoader()]);

    private static string Dag(string id) => $$"""{"id": "{{id}}", "tasks": [{"id": "t", "type": "empty"}]}""";

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private sealed class ThrowingLoader : IDagFileLoader
    {
        public bool CanLoad(string path) => true;

        public Task<DagFileLoadResult> LoadAsync(string path, byte[] content, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("boom");
    }
}
