using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>What the dataset, model registry and tracking stores must do on every backend. Concurrency is shown with
/// two store instances over one database (two processes' worth of connections and group commits).</summary>
public abstract class MlStoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly string DigestA = new('a', 64);
    private static readonly string DigestB = new('b', 64);
    private static readonly RunLineage Outside = new(null, null, null, null);

    protected IMetadataStore Store { get; private set; } = null!;

    /// <summary>Opens the store at this test's location (the same location each time it is called).</summary>
    protected abstract Task<IMetadataStore> OpenAsync();

    protected virtual Task DropAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => Store = await OpenAsync();

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await DropAsync();
    }

    [Fact]
    public async Task Migration5_IsApplied()
    {
        Assert.Contains(5, await Store.AppliedMigrationsAsync(default));
    }

    // ---- datasets

    [Fact]
    public async Task Dataset_IsRecordedOncePerDigest_AndListedUnderEveryName()
    {
        var first = Dataset(DigestA, "taxi", T0, new RunLineage("retrain", "r1", "ingest", 1));
        var (stored, created) = await Store.Datasets.RecordAsync(first, default);
        Assert.True(created);
        Assert.Equal(first, stored);

        var again = await Store.Datasets.RecordAsync(Dataset(DigestA, "taxi-copy", T0.AddHours(1), Outside) with { Rows = 999 }, default);
        Assert.False(again.Created);
        Assert.Equal(first, again.Version); // the first recording wins

        await Store.Datasets.RecordAsync(Dataset(DigestB, "taxi", T0.AddDays(1), Outside), default);
        Assert.Equal([DigestB, DigestA], (await Store.Datasets.ListAsync("taxi", default)).Select(d => d.Digest));
        Assert.Equal([DigestA], (await Store.Datasets.ListAsync("taxi-copy", default)).Select(d => d.Digest));
        Assert.Empty(await Store.Datasets.ListAsync("nothing", default));
        Assert.Equal(first, await Store.Datasets.GetAsync(DigestA, default));
        Assert.Null(await Store.Datasets.GetAsync(new string('c', 64), default));
    }

    [Fact]
    public async Task Dataset_WithABadDigest_IsRefused_AndWritesNothing()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.Datasets.RecordAsync(Dataset("ABC", "taxi", T0, Outside), default));
        Assert.Contains("64 lowercase hex", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Datasets.RecordAsync(Dataset(DigestA.ToUpperInvariant(), "taxi", T0, Outside), default));
        Assert.Empty(await Store.Datasets.ListAsync("taxi", default));
    }

    [Fact]
    public async Task SameBytes_RecordedConcurrently_AreOneVersion()
    {
        await using var other = await OpenAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            (i % 2 == 0 ? Store : other).Datasets.RecordAsync(Dataset(DigestA, $"name{i}", T0.AddSeconds(i), Outside), default)));
        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Version).Distinct());
    }

    // ---- model registry

    [Fact]
    public async Task Versions_AreNumbered1To20_WhenRegisteredConcurrentlyThroughTwoStores()
    {
        await using var other = await OpenAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? Store : other).Models.RegisterVersionAsync(NewVersion("fare", new RunLineage("retrain", $"run{i}", "register", 1)), T0.AddSeconds(i), default)));

        Assert.All(results, r => Assert.True(r.Created));
        Assert.Equal(Enumerable.Range(1, 20), results.Select(r => r.Version.Version).Order());
        Assert.Equal(Enumerable.Range(1, 20).Reverse(), (await Store.Models.ListVersionsAsync("fare", default)).Select(v => v.Version));
        // each stored version is the one its registration returned
        foreach (var (version, _) in results)
        {
            Assert.Equal(version.CreatedBy, (await other.Models.GetVersionAsync("fare", version.Version, default))!.CreatedBy);
        }
    }

    [Fact]
    public async Task RegisteredVersion_KeepsItsLineage_AndCreatesTheModel()
    {
        var lineage = new RunLineage("retrain", "r1", "register", 2);
        var (version, created) = await Store.Models.RegisterVersionAsync(
            NewVersion("fare", lineage) with { Description = "first", Tags = new Dictionary<string, string> { ["trainer"] = "fastTree" } }, T0, default);

        Assert.True(created);
        var read = await Store.Models.GetVersionAsync("fare", 1, default);
        Assert.NotNull(read);
        Assert.Equal((1, "first", DigestA, DigestB, "0123456789abcdef0123456789abcdef", """{"seed":"1"}""", """{"r2":0.9}""", """{"columns":[]}""", T0, lineage),
            (read.Version, read.Description, read.ArtifactDigest, read.DatasetDigest, read.TrackingRunId, read.ParamsJson, read.MetricsJson, read.SignatureJson, read.CreatedAt, read.CreatedBy));
        Assert.Equal(new Dictionary<string, string> { ["trainer"] = "fastTree" }, read.Tags);
        Assert.Equal(version.Version, read.Version);

        var model = await Store.Models.GetModelAsync("fare", default);
        Assert.Equal(("fare", T0, T0), (model!.Name, model.CreatedAt, model.UpdatedAt));
        Assert.Empty(model.Aliases);
        Assert.Null(await Store.Models.GetModelAsync("other", default));
        Assert.Null(await Store.Models.GetVersionAsync("fare", 2, default));
    }

    [Fact]
    public async Task Register_IsIdempotentPerTaskOfARun()
    {
        var (first, _) = await Store.Models.RegisterVersionAsync(NewVersion("fare", new RunLineage("retrain", "r1", "register", 1)), T0, default);

        var retry = await Store.Models.RegisterVersionAsync(NewVersion("fare", new RunLineage("retrain", "r1", "register", 2)), T0.AddMinutes(1), default);
        Assert.False(retry.Created);
        Assert.Equal((1, first.CreatedBy), (retry.Version.Version, retry.Version.CreatedBy)); // the first try's version, as stored

        // another run, another task, another model, or no run at all: new versions
        Assert.Equal(2, (await Store.Models.RegisterVersionAsync(NewVersion("fare", new RunLineage("retrain", "r2", "register", 1)), T0, default)).Version.Version);
        Assert.Equal(3, (await Store.Models.RegisterVersionAsync(NewVersion("fare", new RunLineage("retrain", "r1", "register_b", 1)), T0, default)).Version.Version);
        Assert.Equal(1, (await Store.Models.RegisterVersionAsync(NewVersion("other", new RunLineage("retrain", "r1", "register", 1)), T0, default)).Version.Version);
        Assert.Equal(4, (await Store.Models.RegisterVersionAsync(NewVersion("fare", Outside), T0, default)).Version.Version);
        Assert.Equal(5, (await Store.Models.RegisterVersionAsync(NewVersion("fare", Outside), T0, default)).Version.Version);
    }

    [Fact]
    public async Task ConcurrentRetries_OfOneRegisterTask_RegisterOneVersion()
    {
        await using var other = await OpenAsync();
        var results = await Task.WhenAll(Enumerable.Range(1, 10).Select(attempt =>
            (attempt % 2 == 0 ? Store : other).Models.RegisterVersionAsync(NewVersion("fare", new RunLineage("retrain", "r1", "register", attempt)), T0, default)));

        Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.Equal(1, r.Version.Version));
        Assert.Single(await Store.Models.ListVersionsAsync("fare", default));
    }

    [Fact]
    public async Task Register_WithBadInput_IsRefused_AndWritesNothing()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Models.RegisterVersionAsync(NewVersion("fare") with { ArtifactDigest = "../../etc/passwd" }, T0, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Models.RegisterVersionAsync(NewVersion("fare") with { DatasetDigest = "xyz" }, T0, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Models.RegisterVersionAsync(NewVersion("fare/../x"), T0, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Models.RegisterVersionAsync(NewVersion(""), T0, default));
        Assert.Empty(await Store.Models.ListModelsAsync(default));
    }

    [Fact]
    public async Task Alias_IsSetMovedAndDeleted_WithHistory()
    {
        await RegisterAsync("fare", 3);

        var set = await Store.Models.SetAliasAsync("fare", "production", 1, "dag:r1/deploy#1", null, T0, default);
        Assert.Equal(new AliasMoveRecord("fare", "production", null, 1, T0, "dag:r1/deploy#1", null), set);
        var moved = await Store.Models.SetAliasAsync("fare", "production", 2, "dag:r2/deploy#1", "blessed", T0.AddDays(1), default);
        Assert.Equal(new AliasMoveRecord("fare", "production", 1, 2, T0.AddDays(1), "dag:r2/deploy#1", "blessed"), moved);
        Assert.Null(await Store.Models.SetAliasAsync("fare", "production", 2, "user:alice", "again", T0.AddDays(2), default)); // no move
        await Store.Models.SetAliasAsync("fare", "champion", 3, "user:alice", null, T0.AddDays(3), default);

        Assert.Equal(2, (await Store.Models.GetByAliasAsync("fare", "production", default))!.Version);
        Assert.Equal(new Dictionary<string, int> { ["champion"] = 3, ["production"] = 2 }, (await Store.Models.GetModelAsync("fare", default))!.Aliases);
        Assert.Equal(new Dictionary<string, int> { ["champion"] = 3, ["production"] = 2 }, (await Store.Models.ListModelsAsync(default)).Single().Aliases);

        Assert.True(await Store.Models.DeleteAliasAsync("fare", "champion", "user:bob", "retired", T0.AddDays(4), default));
        Assert.False(await Store.Models.DeleteAliasAsync("fare", "champion", "user:bob", null, T0.AddDays(5), default));
        Assert.False(await Store.Models.DeleteAliasAsync("nope", "champion", "user:bob", null, T0.AddDays(5), default));
        Assert.Null(await Store.Models.GetByAliasAsync("fare", "champion", default));

        Assert.Equal(
            [("champion", (int?)3, (int?)null, "user:bob"), ("champion", null, 3, "user:alice"), ("production", 1, 2, "dag:r2/deploy#1"), ("production", null, 1, "dag:r1/deploy#1")],
            (await Store.Models.AliasHistoryAsync("fare", null, default)).Select(m => (m.Alias, m.FromVersion, m.ToVersion, m.MovedBy)));
        Assert.Equal([2, 1], (await Store.Models.AliasHistoryAsync("fare", "production", default)).Select(m => m.ToVersion));
    }

    [Fact]
    public async Task Alias_ToAnUnknownModelOrVersion_IsRefused_AndWritesNothing()
    {
        await RegisterAsync("fare", 2);
        await Store.Models.SetAliasAsync("fare", "production", 1, "user:alice", null, T0, default);

        var noVersion = await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.Models.SetAliasAsync("fare", "production", 7, "user:alice", null, T0, default));
        Assert.Contains("no version 7", noVersion.Message, StringComparison.Ordinal);
        var noModel = await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.Models.SetAliasAsync("nope", "production", 1, "user:alice", null, T0, default));
        Assert.Contains("no model 'nope'", noModel.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Models.SetAliasAsync("fare", "v2", 2, "user:alice", null, T0, default));

        Assert.Equal(1, (await Store.Models.GetByAliasAsync("fare", "production", default))!.Version);
        Assert.Single(await Store.Models.AliasHistoryAsync("fare", null, default));
        Assert.Empty(await Store.Models.AliasHistoryAsync("nope", null, default));
        Assert.Null(await Store.Models.GetModelAsync("nope", default));
    }

    [Fact]
    public async Task ConcurrentAliasMoves_LeaveTheAliasAtTheNewestHistoryEntry()
    {
        await RegisterAsync("fare", 3);
        await using var other = await OpenAsync();
        // 30 movers over two stores, each pointing production at 1, 2 or 3.
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            (i % 2 == 0 ? Store : other).Models.SetAliasAsync("fare", "production", (i % 3) + 1, $"user:u{i}", null, T0.AddSeconds(i), default)));

        var history = await Store.Models.AliasHistoryAsync("fare", "production", default);
        Assert.Equal(history[0].ToVersion, (await other.Models.GetByAliasAsync("fare", "production", default))!.Version);
        // The history is one chain: every move starts where the one before it ended.
        Assert.Null(history[^1].FromVersion);
        for (var i = 0; i < history.Count - 1; i++)
        {
            Assert.Equal(history[i + 1].ToVersion, history[i].FromVersion);
            Assert.NotEqual(history[i].FromVersion, history[i].ToVersion);
        }
    }

    [Fact]
    public async Task VersionTags_AndModelDescription_AreUpdated()
    {
        await RegisterAsync("fare", 1);

        Assert.True(await Store.Models.SetVersionTagAsync("fare", 1, "blessed", "true", default));
        Assert.True(await Store.Models.SetVersionTagAsync("fare", 1, "reason", "r2 0.91 >= 0.7", default));
        Assert.True(await Store.Models.SetVersionTagAsync("fare", 1, "reason", null, default));
        Assert.False(await Store.Models.SetVersionTagAsync("fare", 2, "blessed", "true", default));
        Assert.Equal(new Dictionary<string, string> { ["blessed"] = "true" }, (await Store.Models.GetVersionAsync("fare", 1, default))!.Tags);

        Assert.True(await Store.Models.UpdateModelAsync("fare", "taxi fares", new Dictionary<string, string> { ["team"] = "ml" }, T0.AddDays(1), default));
        Assert.True(await Store.Models.UpdateModelAsync("fare", null, null, T0.AddDays(2), default)); // unchanged fields
        Assert.False(await Store.Models.UpdateModelAsync("nope", "x", null, T0, default));
        var model = await Store.Models.GetModelAsync("fare", default);
        Assert.Equal(("taxi fares", T0.AddDays(2)), (model!.Description, model.UpdatedAt));
        Assert.Equal(new Dictionary<string, string> { ["team"] = "ml" }, model.Tags);
    }

    // ---- tracking

    [Fact]
    public async Task Experiments_AreCreatedOnce_EvenConcurrently_WithIncreasingIds()
    {
        await using var other = await OpenAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            (i % 2 == 0 ? Store : other).Tracking.GetOrCreateExperimentAsync("taxi-fare", T0.AddSeconds(i), default)));
        Assert.Single(results.Select(e => e.Id).Distinct());

        var second = await Store.Tracking.GetOrCreateExperimentAsync("churn", T0, default);
        Assert.True(long.Parse(second.Id, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(results[0].Id, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["taxi-fare", "churn"], (await Store.Tracking.ListExperimentsAsync(default)).Select(e => e.Name));
        Assert.Equal("churn", (await Store.Tracking.FindExperimentAsync(second.Id, default))!.Name);
        Assert.Equal(second.Id, (await Store.Tracking.FindExperimentAsync("churn", default))!.Id);
        Assert.Null(await Store.Tracking.FindExperimentAsync("999", default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Tracking.GetOrCreateExperimentAsync(" ", T0, default));
    }

    [Fact]
    public async Task TrackingRun_KeepsParamsTagsMetricsInputsAndArtifacts()
    {
        var experiment = await Store.Tracking.GetOrCreateExperimentAsync("taxi-fare", T0, default);
        var lineage = new RunLineage("retrain", "r1", "train_fast_tree", 1);
        var run = await Store.Tracking.StartRunAsync(experiment.Id, "fastTree", lineage,
            new Dictionary<string, string> { ["trainer"] = "fastTree", ["seed"] = "1" }, new Dictionary<string, string> { ["kind"] = "candidate" }, T0, default);
        Assert.Matches("^[0-9a-f]{32}$", run.RunId);
        Assert.Equal((TrackingRunStatus.Running, experiment.Id, (DateTimeOffset?)null), (run.Status, run.ExperimentId, run.EndedAt));

        // logged out of order, in two calls: read back by key, then step
        await Store.Tracking.LogMetricsAsync(run.RunId, [new MetricPoint("rmse", 3.0, 2, T0.AddSeconds(2)), new MetricPoint("rmse", 5.0, 0, T0)], default);
        await Store.Tracking.LogMetricsAsync(run.RunId, [new MetricPoint("rmse", 4.0, 1, T0.AddSeconds(1)), new MetricPoint("r2", 0.91, 0, T0), new MetricPoint("loss", double.NaN, 0, T0)], default);
        await Store.Tracking.SetTagsAsync(run.RunId, new Dictionary<string, string?> { ["kind"] = null, ["blessed"] = "true" }, default);
        await Store.Tracking.LogDatasetInputAsync(run.RunId, new DatasetInputRecord(DigestA, "training"), default);
        await Store.Tracking.LogDatasetInputAsync(run.RunId, new DatasetInputRecord(DigestA, "training"), default); // once
        await Store.Tracking.LogDatasetInputAsync(run.RunId, new DatasetInputRecord(DigestB, "evaluation"), default);
        await Store.Tracking.LogArtifactAsync(run.RunId, new TrackedArtifactRecord("model/model.zip", DigestB, 1234), default);
        await Store.Tracking.EndRunAsync(run.RunId, TrackingRunStatus.Finished, T0.AddMinutes(3), default);

        var read = await Store.Tracking.GetRunAsync(run.RunId, default);
        Assert.NotNull(read);
        Assert.Equal((TrackingRunStatus.Finished, (DateTimeOffset?)T0.AddMinutes(3), lineage, "fastTree", T0), (read.Status, read.EndedAt, read.CreatedBy, read.Name, read.StartedAt));
        Assert.Equal(new Dictionary<string, string> { ["seed"] = "1", ["trainer"] = "fastTree" }, read.Params);
        Assert.Equal(new Dictionary<string, string> { ["blessed"] = "true" }, read.Tags);
        Assert.Equal([("loss", double.NaN, 0L), ("r2", 0.91, 0L), ("rmse", 5.0, 0L), ("rmse", 4.0, 1L), ("rmse", 3.0, 2L)], read.Metrics.Select(m => (m.Key, m.Value, m.Step)));
        Assert.Equal([new DatasetInputRecord(DigestB, "evaluation"), new DatasetInputRecord(DigestA, "training")], read.Datasets);
        Assert.Equal([new TrackedArtifactRecord("model/model.zip", DigestB, 1234)], read.Artifacts);
    }

    [Fact]
    public async Task TrackingRuns_AreListedNewestFirst_PerExperiment()
    {
        var taxi = await Store.Tracking.GetOrCreateExperimentAsync("taxi-fare", T0, default);
        var churn = await Store.Tracking.GetOrCreateExperimentAsync("churn", T0, default);
        var old = await StartAsync(taxi.Id, "old", T0);
        var recent = await StartAsync(taxi.Id, "new", T0.AddHours(1));
        await StartAsync(churn.Id, "elsewhere", T0.AddHours(2));
        await Store.Tracking.LogMetricsAsync(old.RunId, [new MetricPoint("r2", 0.5, 0, T0)], default);

        var runs = await Store.Tracking.ListRunsAsync(taxi.Id, default);
        Assert.Equal([recent.RunId, old.RunId], runs.Select(r => r.RunId));
        Assert.Equal([0.5], runs[1].Metrics.Select(m => m.Value));
        Assert.Empty(runs[0].Metrics);
        Assert.Empty(await Store.Tracking.ListRunsAsync("999", default));
        Assert.Empty(await Store.Tracking.ListRunsAsync("not-a-number", default));
    }

    [Fact]
    public async Task TrackingWrites_ToAnUnknownRunOrExperiment_AreRefused()
    {
        var missing = new string('0', 32);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.Tracking.StartRunAsync("42", "x", Outside, new Dictionary<string, string>(), new Dictionary<string, string>(), T0, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.Tracking.LogMetricsAsync(missing, [new MetricPoint("r2", 1, 0, T0)], default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.Tracking.SetTagsAsync(missing, new Dictionary<string, string?> { ["a"] = "b" }, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.Tracking.LogDatasetInputAsync(missing, new DatasetInputRecord(DigestA, "training"), default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.Tracking.LogArtifactAsync(missing, new TrackedArtifactRecord("a", DigestA, 1), default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.Tracking.EndRunAsync(missing, TrackingRunStatus.Failed, T0, default));

        var experiment = await Store.Tracking.GetOrCreateExperimentAsync("taxi-fare", T0, default);
        var run = await StartAsync(experiment.Id, "r", T0);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Tracking.EndRunAsync(run.RunId, TrackingRunStatus.Running, T0, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Tracking.LogArtifactAsync(run.RunId, new TrackedArtifactRecord("../x", DigestA, 1), default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Tracking.LogDatasetInputAsync(run.RunId, new DatasetInputRecord("nope", "training"), default));
        var read = await Store.Tracking.GetRunAsync(run.RunId, default);
        Assert.Equal((TrackingRunStatus.Running, 0, 0), (read!.Status, read.Artifacts.Count, read.Datasets.Count));
    }

    [Fact]
    public async Task EverythingSurvivesReopeningTheStore()
    {
        await Store.Datasets.RecordAsync(Dataset(DigestA, "taxi", T0, Outside), default);
        await RegisterAsync("fare", 2);
        await Store.Models.SetAliasAsync("fare", "production", 2, "user:alice", "first deploy", T0, default);
        var experiment = await Store.Tracking.GetOrCreateExperimentAsync("taxi-fare", T0, default);
        var run = await StartAsync(experiment.Id, "r", T0);
        await Store.Tracking.LogMetricsAsync(run.RunId, [new MetricPoint("r2", 0.9, 0, T0)], default);
        await Store.DisposeAsync();

        Store = await OpenAsync();
        Assert.NotNull(await Store.Datasets.GetAsync(DigestA, default));
        Assert.Equal(2, (await Store.Models.GetByAliasAsync("fare", "production", default))!.Version);
        Assert.Equal("first deploy", (await Store.Models.AliasHistoryAsync("fare", null, default)).Single().Reason);
        Assert.Equal(3, (await Store.Models.RegisterVersionAsync(NewVersion("fare"), T0, default)).Version.Version); // the counter survived
        Assert.Equal(experiment, (await Store.Tracking.ListExperimentsAsync(default)).Single() with { Tags = experiment.Tags });
        Assert.Equal([0.9], (await Store.Tracking.GetRunAsync(run.RunId, default))!.Metrics.Select(m => m.Value));
    }

    private Task<TrackingRunRecord> StartAsync(string experimentId, string name, DateTimeOffset at) =>
        Store.Tracking.StartRunAsync(experimentId, name, Outside, new Dictionary<string, string>(), new Dictionary<string, string>(), at, default);

    private async Task RegisterAsync(string name, int versions)
    {
        for (var i = 0; i < versions; i++)
        {
            await Store.Models.RegisterVersionAsync(NewVersion(name), T0, default);
        }
    }

    private static NewModelVersion NewVersion(string name, RunLineage? lineage = null) =>
        new(name, DigestA, """{"columns":[]}""", DigestB, "0123456789abcdef0123456789abcdef", """{"seed":"1"}""", """{"r2":0.9}""", lineage ?? Outside);

    private static DatasetVersionRecord Dataset(string digest, string name, DateTimeOffset at, RunLineage lineage) =>
        new(digest, name, "data/taxi.csv", 1000, 10, """{"columns":[]}""", """{"rows":10}""", at, lineage);
}

public sealed class SqliteMlStoreContractTests : MlStoreContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-ml-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresMlStoreContractTests : MlStoreContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
