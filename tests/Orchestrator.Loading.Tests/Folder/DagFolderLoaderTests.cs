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

    [Fact]
    public async Task AnUnchangedFile_IsNotParsedAgain_AChangedOneIs_AndAFileThatComesBackIsReadAfresh()
    {
        Write("a.json", Dag("a"));
        Write("b.json", Dag("b"));
        var counting = new CountingLoader();
        var sut = new DagFolderLoader([counting]);

        var first = await sut.LoadAsync(_folder, CancellationToken.None);
        var second = await sut.LoadAsync(_folder, CancellationToken.None);
        Assert.Equal(2, counting.Loads);
        Assert.Same(first.Dags[new("a")], second.Dags[new("a")]);

        Write("b.json", Dag("b").Replace("\"t\"", "\"u\"", StringComparison.Ordinal)); // a new version of b
        var third = await sut.LoadAsync(_folder, CancellationToken.None);
        Assert.Equal(3, counting.Loads);
        Assert.Equal("u", Assert.Single(third.Dags[new("b")].Definition.Tasks).Id.Value);
        Assert.Same(first.Dags[new("a")], third.Dags[new("a")]);

        // Deleted, then written back as it was: read again (what was kept for it went with the file).
        var content = File.ReadAllText(Path.Combine(_folder, "a.json"));
        File.Delete(Path.Combine(_folder, "a.json"));
        Assert.DoesNotContain(new("a"), (await sut.LoadAsync(_folder, CancellationToken.None)).Dags.Keys);
        Write("a.json", content);
        Assert.Contains(new("a"), (await sut.LoadAsync(_folder, CancellationToken.None)).Dags.Keys);
        Assert.Equal(4, counting.Loads);
    }

    private static DagFolderLoader CreateSut() => new([new JsonDagFileLoader()]);

    private static string Dag(string id) => $$"""{"id": "{{id}}", "tasks": [{"id": "t", "type": "empty"}]}""";

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private sealed class CountingLoader : IDagFileLoader
    {
        private readonly JsonDagFileLoader _json = new();
        private int _loads;

        public int Loads => _loads;

        public bool CanLoad(string path) => _json.CanLoad(path);

        public Task<DagFileLoadResult> LoadAsync(string path, byte[] content, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _loads);
            return _json.LoadAsync(path, content, cancellationToken);
        }
    }

    private sealed class ThrowingLoader : IDagFileLoader
    {
        public bool CanLoad(string path) => true;

        public Task<DagFileLoadResult> LoadAsync(string path, byte[] content, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("boom");
    }
}
