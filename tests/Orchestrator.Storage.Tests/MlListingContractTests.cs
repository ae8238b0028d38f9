using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>The paged, counted listings the REST API and the pages read (datasets, experiment summaries), on every backend.</summary>
public abstract class MlListingContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly RunLineage Outside = new(null, null, null, null);

    [Fact]
    public async Task Datasets_AreListedPerName_NewestFirst_InPages_WithTheTotal()
    {
        var a = new string('a', 64);
        var b = new string('b', 64);
        var c = new string('c', 64);
        await Store.Datasets.RecordAsync(Dataset(a, "taxi", T0, new RunLineage("retrain", "r1", "ingest", 1)), default);
        await Store.Datasets.RecordAsync(Dataset(b, "taxi", T0.AddHours(1), Outside), default);
        await Store.Datasets.RecordAsync(Dataset(a, "copy", T0.AddHours(2), Outside), default); // same bytes, second name
        await Store.Datasets.RecordAsync(Dataset(c, "iris", T0.AddHours(3), Outside), default);

        var (first, total) = await Store.Datasets.ListAllAsync(0, 3, default);
        Assert.Equal(4, total);
        Assert.Equal([("iris", c), ("copy", a), ("taxi", b)], first.Select(item => (item.Name, item.Version.Digest)));
        Assert.Equal(T0.AddHours(2), first[1].RecordedAt);
        Assert.Equal("taxi", first[1].Version.Name); // the version keeps its first name

        var (rest, again) = await Store.Datasets.ListAllAsync(3, 3, default);
        Assert.Equal(4, again);
        var last = Assert.Single(rest);
        Assert.Equal(("taxi", a), (last.Name, last.Version.Digest));
        Assert.Equal(new RunLineage("retrain", "r1", "ingest", 1), last.Version.CreatedBy);

        Assert.Empty((await Store.Datasets.ListAllAsync(10, 3, default)).Items);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.Datasets.ListAllAsync(-1, 3, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.Datasets.ListAllAsync(0, 0, default));
    }

    [Fact]
    public async Task ExperimentSummaries_CountRuns_AndTellTheNewestStart_InPages()
    {
        var empty = await Store.Tracking.GetOrCreateExperimentAsync("empty", T0, default);
        var busy = await Store.Tracking.GetOrCreateExperimentAsync("busy", T0, default);
        var third = await Store.Tracking.GetOrCreateExperimentAsync("third", T0, default);
        var none = new Dictionary<string, string>();
        await Store.Tracking.StartRunAsync(busy.Id, "r1", Outside, none, none, T0.AddMinutes(5), default);
        await Store.Tracking.StartRunAsync(busy.Id, "r2", Outside, none, none, T0.AddMinutes(9), default);
        await Store.Tracking.StartRunAsync(busy.Id, "r3", Outside, none, none, T0.AddMinutes(7), default);
        await Store.Tracking.StartRunAsync(third.Id, "r4", Outside, none, none, T0.AddMinutes(1), default);

        var (page, total) = await Store.Tracking.ListExperimentSummariesAsync(0, 2, default);
        Assert.Equal(3, total);
        Assert.Equal([(empty.Id, "empty", 0, (DateTimeOffset?)null), (busy.Id, "busy", 3, T0.AddMinutes(9))],
            page.Select(item => (item.Experiment.Id, item.Experiment.Name, item.RunCount, item.LastRunAt)));
        var next = Assert.Single((await Store.Tracking.ListExperimentSummariesAsync(2, 2, default)).Items);
        Assert.Equal((third.Id, 1, T0.AddMinutes(1)), (next.Experiment.Id, next.RunCount, next.LastRunAt));
    }

    private static DatasetVersionRecord Dataset(string digest, string name, DateTimeOffset at, RunLineage lineage) =>
        new(digest, name, "data/taxi.csv", 1000, 10, """{"columns":[]}""", """{"rows":10}""", at, lineage);
}

public sealed class SqliteMlListingContractTests : MlListingContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-mllist-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresMlListingContractTests : MlListingContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
