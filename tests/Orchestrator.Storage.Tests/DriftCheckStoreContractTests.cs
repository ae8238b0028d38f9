using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>The drift-check store on every backend: recorded once per task of a run, listed per model newest first.</summary>
public abstract class DriftCheckStoreContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Record_KeepsEveryField_AndGetReadsItBack()
    {
        var lineage = new RunLineage("monitor", "r1", "drift", 1);
        var (check, created) = await Store.DriftChecks.RecordAsync(Check("taxi", T0, lineage) with
        {
            Version = 3, Drifted = true, Share = 0.6, ShareThreshold = 0.5, DriftedFeatures = ["trip_distance", "payment_type"],
            ReferenceRows = 1000, CurrentRows = 250, ReportDigest = new string('e', 64), DetailsJson = """{"metric":"r2"}""",
        }, default);

        Assert.True(created);
        var read = await Store.DriftChecks.GetAsync(check.Id, default);
        Assert.NotNull(read);
        Assert.Equal(DriftCheckKinds.Data, read.Kind);
        Assert.Equal(("taxi", 3, T0, true, 0.6, 0.5), (read.Model, read.Version, read.At, read.Drifted, read.Share, read.ShareThreshold));
        Assert.Equal(["trip_distance", "payment_type"], read.DriftedFeatures);
        Assert.Equal((1000L, 250L, new string('e', 64), """{"metric":"r2"}"""), (read.ReferenceRows, read.CurrentRows, read.ReportDigest, read.DetailsJson));
        Assert.Equal(lineage, read.CreatedBy);
        Assert.Null(await Store.DriftChecks.GetAsync(check.Id + 100, default));
    }

    [Fact]
    public async Task Record_BySameTaskOfRun_IsIdempotent_ButOtherTasksAndOutsideRunsAddRows()
    {
        var lineage = new RunLineage("monitor", "r1", "drift", 1);
        var (first, created) = await Store.DriftChecks.RecordAsync(Check("taxi", T0, lineage), default);
        var (again, createdAgain) = await Store.DriftChecks.RecordAsync(Check("taxi", T0.AddMinutes(1), lineage with { TryNumber = 2 }) with { Drifted = true }, default);
        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first, again);

        var (other, otherCreated) = await Store.DriftChecks.RecordAsync(Check("taxi", T0, new RunLineage("monitor", "r2", "drift", 1)), default);
        var outside = new RunLineage(null, null, null, null);
        var (loose1, c1) = await Store.DriftChecks.RecordAsync(Check("taxi", T0, outside), default);
        var (loose2, c2) = await Store.DriftChecks.RecordAsync(Check("taxi", T0, outside), default);
        Assert.True(otherCreated && c1 && c2);
        Assert.Equal(4, new[] { first.Id, other.Id, loose1.Id, loose2.Id }.Distinct().Count());
        Assert.Equal(4, (await Store.DriftChecks.ListAsync("taxi", 0, 10, default)).Total);
    }

    [Fact]
    public async Task List_IsPerModel_NewestFirst_InPages_WithTheTotal()
    {
        var none = new RunLineage(null, null, null, null);
        var a = (await Store.DriftChecks.RecordAsync(Check("taxi", T0, none), default)).Check;
        var b = (await Store.DriftChecks.RecordAsync(Check("taxi", T0.AddHours(2), none) with { Kind = DriftCheckKinds.Performance }, default)).Check;
        var c = (await Store.DriftChecks.RecordAsync(Check("taxi", T0.AddHours(1), none), default)).Check;
        await Store.DriftChecks.RecordAsync(Check("iris", T0.AddHours(5), none), default);
        await Store.DriftChecks.RecordAsync(Check(null, T0.AddHours(6), none), default);

        var (page, total) = await Store.DriftChecks.ListAsync("taxi", 0, 2, default);
        Assert.Equal(3, total);
        Assert.Equal([b.Id, c.Id], page.Select(check => check.Id));
        Assert.Equal(DriftCheckKinds.Performance, page[0].Kind);
        var (rest, again) = await Store.DriftChecks.ListAsync("taxi", 2, 2, default);
        Assert.Equal(3, again);
        Assert.Equal(a.Id, Assert.Single(rest).Id);
        Assert.Empty((await Store.DriftChecks.ListAsync("nope", 0, 2, default)).Items);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.DriftChecks.ListAsync("taxi", -1, 2, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.DriftChecks.ListAsync("taxi", 0, 0, default));
    }

    [Fact]
    public async Task Record_RefusesBadInput_AndWritesNothing()
    {
        var none = new RunLineage(null, null, null, null);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DriftChecks.RecordAsync(Check("taxi", T0, none) with { Kind = "concept" }, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DriftChecks.RecordAsync(Check("taxi", T0, none) with { Share = 1.5 }, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DriftChecks.RecordAsync(Check("taxi", T0, none) with { CurrentRows = -1 }, default));
        Assert.Equal(0, (await Store.DriftChecks.ListAsync("taxi", 0, 10, default)).Total);
    }

    private static NewDriftCheck Check(string? model, DateTimeOffset at, RunLineage lineage) =>
        new(DriftCheckKinds.Data, model, 1, at, lineage, false, 0.1, 0.5, [], 100, 100, null);
}

public sealed class SqliteDriftCheckStoreContractTests : DriftCheckStoreContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-drift-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresDriftCheckStoreContractTests : DriftCheckStoreContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
