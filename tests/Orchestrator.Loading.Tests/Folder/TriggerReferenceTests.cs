using Orchestrator.Loading.Folder;
using Orchestrator.Loading.Json;

namespace Orchestrator.Loading.Tests.Folder;

/// <summary>A trigger that could never fire is an import error naming the file and the trigger, not silence.</summary>
public sealed class TriggerReferenceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-triggers-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ADriftTrigger_OnAModelTheFolderRegisters_Loads()
    {
        Write("train.json", """{"id": "train", "tasks": [{"id": "r", "type": "ml.register", "args": {"model": "taxi"}}]}""");
        Write("retrain.json", Triggered("retrain", """{"event": "drift", "model": "taxi"}"""));

        var snapshot = await LoadAsync();

        Assert.Empty(snapshot.ImportErrors);
        Assert.Equal(["retrain", "train"], snapshot.Dags.Keys.Select(k => k.Value).Order());
    }

    [Fact]
    public async Task ADriftTrigger_OnAMisspeltModel_IsAnImportErrorAtTheTrigger_SuggestingTheKnownOne()
    {
        Write("train.json", """{"id": "train", "tasks": [{"id": "r", "type": "ml.register", "args": {"model": "taxi"}}]}""");
        Write("retrain.json", Triggered("retrain", """{"event": "drift", "model": "taxii"}"""));

        var snapshot = await LoadAsync();

        var error = Assert.Single(snapshot.ImportErrors);
        Assert.EndsWith("retrain.json", error.File, StringComparison.Ordinal);
        Assert.Equal("triggers[0]", error.Location.Field);
        Assert.Contains("model 'taxii' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'taxi'?", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Location.Line); // the trigger's own line (the whole DAG is on one line here)
        Assert.NotNull(error.Location.Column);
        Assert.DoesNotContain(snapshot.Dags.Keys, k => k.Value == "retrain");
    }

    [Fact]
    public async Task AModelNamedThroughAParam_CountsAsThatParamsDefault_NotAsAnyModel()
    {
        Write("train.json", """{"id": "train", "params": {"model": "taxi"}, "tasks": [{"id": "r", "type": "ml.register", "args": {"model": "{{ params.model }}"}}]}""");
        Write("good.json", Triggered("good", """{"event": "drift", "model": "taxi"}"""));
        Write("typo.json", Triggered("typo", """{"event": "drift", "model": "no_such_model"}"""));

        var snapshot = await LoadAsync();

        var error = Assert.Single(snapshot.ImportErrors);
        Assert.EndsWith("typo.json", error.File, StringComparison.Ordinal);
        Assert.Contains("model 'no_such_model' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains(snapshot.Dags.Keys, k => k.Value == "good");
    }

    [Fact]
    public async Task ModelsAndDatasetsTheStoreKnows_AreValidSubjects()
    {
        Write("retrain.json", Triggered("retrain", """{"event": "drift", "model": "churn"}""", """{"event": "dataset", "name": "events"}"""));

        Assert.Contains("model 'churn' does not exist", Assert.Single((await LoadAsync()).ImportErrors).Message, StringComparison.Ordinal); // the first bad trigger
        var known = new ExternalNames(new HashSet<string> { "churn" }, new HashSet<string> { "events" });
        Assert.Empty((await LoadAsync(known)).ImportErrors);
    }

    [Fact]
    public async Task ADatasetTrigger_MatchesAnIngestsNameOrFileName()
    {
        Write("ingest.json", """
            {"id": "ingest", "tasks": [
              {"id": "a", "type": "ml.ingest", "args": {"path": "data/taxi-fare-train.csv"}},
              {"id": "b", "type": "ml.ingest", "args": {"path": "x.csv", "name": "trips"}}]}
            """);
        Write("by_file.json", Triggered("by_file", """{"event": "dataset", "name": "taxi-fare-train"}"""));
        Write("by_name.json", Triggered("by_name", """{"event": "dataset", "name": "trips"}"""));
        Write("by_path.json", Triggered("by_path", """{"event": "dataset", "name": "x"}""")); // named 'trips', not 'x'

        var snapshot = await LoadAsync();

        var error = Assert.Single(snapshot.ImportErrors);
        Assert.EndsWith("by_path.json", error.File, StringComparison.Ordinal);
        Assert.Contains("dataset 'x' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("known datasets: taxi-fare-train, trips", error.Message, StringComparison.Ordinal); // nothing close to 'x'
    }

    [Fact]
    public async Task ADagSucceededTrigger_OnAMissingDag_AndOnADagThatFailedToLoad_AreImportErrors()
    {
        Write("broken.json", """{"id": "broken", "tasks": [}""");
        Write("on_missing.json", Triggered("on_missing", """{"event": "dagSucceeded", "dag": "nope"}"""));
        Write("on_broken.json", Triggered("on_broken", """{"event": "dagSucceeded", "dag": "broken"}"""));
        Write("on_on_missing.json", Triggered("on_on_missing", """{"event": "dagSucceeded", "dag": "on_missing"}"""));

        var snapshot = await LoadAsync();

        Assert.Empty(snapshot.Dags);
        Assert.Equal(4, snapshot.ImportErrors.Count); // the broken file, and each trigger, the last once its upstream is gone
        Assert.Contains(snapshot.ImportErrors, e => e.File.EndsWith("on_on_missing.json", StringComparison.Ordinal) && e.Message.Contains("DAG 'on_missing' does not exist", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "a:a" }, "a → a")]
    [InlineData(new[] { "a:b", "b:a" }, "a → b → a")]
    [InlineData(new[] { "a:c", "b:a", "c:b" }, "a → b → c → a")] // a waits on c: c → a
    public async Task DagSucceededTriggersInACycle_AreAnImportError(string[] edges, string shown)
    {
        foreach (var edge in edges)
        {
            var (dag, waitsOn) = (edge.Split(':')[0], edge.Split(':')[1]);
            Write($"{dag}.json", Triggered(dag, $$"""{"event": "dagSucceeded", "dag": "{{waitsOn}}"}"""));
        }

        var snapshot = await LoadAsync();

        Assert.NotEmpty(snapshot.ImportErrors);
        Assert.Contains(shown, snapshot.ImportErrors[0].Message, StringComparison.Ordinal);
        Assert.Contains("cycle", snapshot.ImportErrors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChainOfDagSucceededTriggers_WithoutACycle_Loads()
    {
        Write("a.json", """{"id": "a", "tasks": [{"id": "t", "type": "empty"}]}""");
        Write("b.json", Triggered("b", """{"event": "dagSucceeded", "dag": "a"}"""));
        Write("c.json", Triggered("c", """{"event": "dagSucceeded", "dag": "b"}""", """{"event": "dagSucceeded", "dag": "a"}"""));

        var snapshot = await LoadAsync();

        Assert.Empty(snapshot.ImportErrors);
        Assert.Equal(3, snapshot.Dags.Count);
    }

    private Task<DagFolderSnapshot> LoadAsync(ExternalNames? known = null) =>
        new DagFolderLoader([new JsonDagFileLoader()]).LoadAsync(_folder, CancellationToken.None, known);

    private static string Triggered(string id, params string[] triggers) =>
        $$"""{"id": "{{id}}", "triggers": [{{string.Join(", ", triggers)}}], "tasks": [{"id": "t", "type": "empty"}]}""";

    private void Write(string relative, string content) => File.WriteAllText(Path.Combine(_folder, relative), content);
}
