using Orchestrator.Loading.Folder;
using Orchestrator.Loading.Json;

namespace Orchestrator.Loading.Tests.Folder;

/// <summary>Real symbolic links in a temporary folder: every real DAG file is read once, however many links lead to
/// it, and a loop of links is walked once.</summary>
public sealed class SymlinkTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-links-").FullName;

    private string Dags => Path.Combine(_root, "dags");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task LoopBackToAParent_IsWalkedOnce_WithoutFalseDuplicates()
    {
        Write("dags/top.json", Dag("top"));
        Write("dags/sub/inner.json", Dag("inner"));
        Link("dags/sub/loop", "..");

        var snapshot = await LoadAsync();

        Assert.Empty(snapshot.ImportErrors);
        Assert.Equal(["inner", "top"], snapshot.Dags.Keys.Select(id => id.Value).Order());
        Assert.Equal([Path.Combine(Dags, "sub", "inner.json"), Path.Combine(Dags, "top.json")], snapshot.FileVersions.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task FileLinkedTwice_IsReadOnce_ByItsOwnPath()
    {
        Write("dags/z/real.json", Dag("etl"));
        Link("dags/a_link.json", "z/real.json");
        Link("dags/b/also.json", Path.Combine(Dags, "z", "real.json")); // absolute this time
        Link("dags/c", "z"); // and the folder holding it

        var snapshot = await LoadAsync();

        Assert.Empty(snapshot.ImportErrors);
        Assert.Equal(Path.Combine(Dags, "z", "real.json"), Assert.Single(snapshot.Dags).Value.FilePath);
    }

    [Fact]
    public async Task FileOnlyReachedThroughLinks_IsReadOnce_ByTheFirstLinkInOrder()
    {
        Write("shared/etl.json", Dag("etl"));
        Link("dags/b.json", "../shared/etl.json");
        Link("dags/a.json", "../shared/etl.json");

        var snapshot = await LoadAsync();

        Assert.Empty(snapshot.ImportErrors);
        Assert.Equal(Path.Combine(Dags, "a.json"), Assert.Single(snapshot.Dags).Value.FilePath);
    }

    [Fact]
    public async Task LinkToAFolderOutside_IsLoaded_AndItsOwnLinkBackIn_DoesNotRepeatIt()
    {
        Write("dags/local.json", Dag("local"));
        Write("elsewhere/team/remote.json", Dag("remote"));
        Link("dags/team", "../elsewhere/team");
        Link("elsewhere/team/back", "../../dags"); // a loop through the outside folder

        var snapshot = await LoadAsync();

        Assert.Empty(snapshot.ImportErrors);
        Assert.Equal(["local", "remote"], snapshot.Dags.Keys.Select(id => id.Value).Order());
        Assert.Equal(Path.Combine(Dags, "team", "remote.json"), snapshot.Dags.Single(d => d.Key.Value == "remote").Value.FilePath);
    }

    [Fact]
    public async Task LinkToItself_IsOneClearImportError()
    {
        Write("dags/good.json", Dag("good"));
        Link("dags/self.json", "self.json");

        var snapshot = await LoadAsync();

        Assert.Equal("good", Assert.Single(snapshot.Dags).Key.Value);
        var error = Assert.Single(snapshot.ImportErrors);
        Assert.EndsWith("self.json", error.File, StringComparison.Ordinal);
        Assert.StartsWith("cannot read the file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RealPath_ResolvesEveryLinkAlongThePath()
    {
        Write("elsewhere/x/file.json", "{}");
        Link("dags/l1", "../elsewhere");
        Link("elsewhere/l2", "x/../x");

        Assert.Equal(Path.Combine(_root, "elsewhere", "x", "file.json"), RealPath.Resolve(Path.Combine(Dags, "l1", "l2", "file.json")));
        Assert.Equal(Path.Combine(_root, "elsewhere"), RealPath.Resolve(Path.Combine(Dags, "l1", "l2", "..")));
        Assert.Equal(Path.Combine(Dags, "missing", "x.json"), RealPath.Resolve(Path.Combine(Dags, "missing", "x.json")));
    }

    [Fact]
    public void RealPath_OfALoop_IsAnIOException()
    {
        Link("dags/a", "b");
        Link("dags/b", "a");

        Assert.Throws<IOException>(() => RealPath.Resolve(Path.Combine(Dags, "a", "x.json")));
    }

    private Task<DagFolderSnapshot> LoadAsync() =>
        new DagFolderLoader([new JsonDagFileLoader()]).LoadAsync(Dags, CancellationToken.None);

    private static string Dag(string id) => $$"""{"id": "{{id}}", "tasks": [{"id": "t", "type": "empty"}]}""";

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private void Link(string relative, string target)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }
}
