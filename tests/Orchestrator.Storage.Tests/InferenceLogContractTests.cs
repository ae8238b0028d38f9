using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>What the inference log must do on every backend: append in batches, read a model's window (version,
/// limit, oldest first), match labels only to the model's own rows, and prune by age and by rows per model.</summary>
public abstract class InferenceLogContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private IInferenceLogStore Log => Store.Inference;

    private static InferenceRecord Row(string request, int row, string model = "taxi", int version = 1, int minute = 0) =>
        new(request, row, model, version, T0.AddMinutes(minute), $$"""{"trip_distance":{{row + minute}}.5,"vendor_id":"CMT"}""", $"{minute}.25");

    private static InferenceWindow Window(string model = "taxi", int? version = null, int limit = 100_000) =>
        new(model, T0.AddDays(-1), T0.AddDays(1), version, limit);

    [Fact]
    public async Task Migration7_IsApplied()
    {
        Assert.Contains(7, await Store.AppliedMigrationsAsync(default));
    }

    [Fact]
    public async Task Append_ThenRead_GivesTheRowsBack_OldestFirst_InTheWindowOnly()
    {
        var late = Row("r2", 0, minute: 5);
        var early = Row("r1", 0, minute: 1);
        var earlySecond = Row("r1", 1, minute: 1);
        var outside = Row("r0", 0, minute: -60 * 25);
        var other = Row("r3", 0, model: "iris", minute: 2);
        await Log.AppendAsync([late, early, earlySecond, outside, other], default);

        Assert.Equal([early, earlySecond, late], await Log.ReadAsync(Window(), default));
        Assert.Equal([other], await Log.ReadAsync(Window("iris"), default));
        // [From, To): a row at exactly To is left out, one at From is in.
        Assert.Equal([early, earlySecond], await Log.ReadAsync(new InferenceWindow("taxi", T0.AddMinutes(1), T0.AddMinutes(5)), default));
        Assert.Empty(await Log.ReadAsync(Window("nobody"), default));
    }

    [Fact]
    public async Task Read_FiltersByVersion_AndStopsAtTheLimit()
    {
        await Log.AppendAsync([Row("a", 0, version: 1, minute: 1), Row("b", 0, version: 2, minute: 2), Row("c", 0, version: 1, minute: 3), Row("d", 0, version: 2, minute: 4)], default);

        Assert.Equal(["a", "c"], (await Log.ReadAsync(Window(version: 1), default)).Select(r => r.RequestId));
        Assert.Equal(["b", "d"], (await Log.ReadAsync(Window(version: 2), default)).Select(r => r.RequestId));
        Assert.Equal(["a", "b", "c"], (await Log.ReadAsync(Window(limit: 3), default)).Select(r => r.RequestId));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Log.ReadAsync(Window(limit: 0), default));
    }

    [Fact]
    public async Task Append_OfManyRows_SpansChunks_AndASecondAppendOfTheSameRowsAddsNothing()
    {
        // PostgreSQL sends 256 rows a round trip: 600 rows are two full batches and a tail of 88 (SQLite: one
        // prepared statement re-bound per row). The re-sent rows straddle the first batch boundary.
        var rows = Enumerable.Range(0, 600).Select(i => Row($"req-{i / 3:D3}", i % 3, minute: i / 10)).ToList();
        await Log.AppendAsync(rows, default);
        await Log.AppendAsync(rows.Take(10).ToList(), default);
        await Log.AppendAsync(rows.Skip(250).Take(20).ToList(), default);
        await Log.AppendAsync([], default);

        var read = await Log.ReadAsync(Window(), default);
        Assert.Equal(rows.OrderBy(r => r.At).ThenBy(r => r.RequestId, StringComparer.Ordinal).ThenBy(r => r.Row), read);
    }

    [Fact]
    public async Task Labels_MatchOnlyTheModelsOwnRows_AndUnknownOnesChangeNothing()
    {
        await Log.AppendAsync([Row("r1", 0, minute: 1), Row("r1", 1, minute: 1), Row("r2", 0, minute: 2), Row("x1", 0, model: "iris", minute: 3)], default);

        var unknown = await Log.LabelAsync("taxi", [
            new InferenceLabel("r1", 1, "12.5"),
            new InferenceLabel("r2", 0, "\"high\""),
            new InferenceLabel("r1", 7, "1"), // no such row
            new InferenceLabel("nope", 0, "1"), // no such request
            new InferenceLabel("x1", 0, "3"), // another model's row
        ], T0.AddHours(1), default);

        Assert.Equal([new InferenceLabel("r1", 7, "1"), new InferenceLabel("nope", 0, "1"), new InferenceLabel("x1", 0, "3")], unknown);
        var labeled = await Log.ReadLabeledAsync(Window(), default);
        Assert.Equal([(Row("r1", 1, minute: 1), "12.5"), (Row("r2", 0, minute: 2), "\"high\"")], labeled.Select(l => (l.Inference, l.Label)));
        Assert.All(labeled, l => Assert.Equal(T0.AddHours(1), l.LabeledAt));
        Assert.Empty(await Log.ReadLabeledAsync(Window("iris"), default));

        // A later label replaces the earlier one.
        Assert.Empty(await Log.LabelAsync("taxi", [new InferenceLabel("r1", 1, "13")], T0.AddHours(2), default));
        var relabeled = (await Log.ReadLabeledAsync(Window(), default))[0];
        Assert.Equal(("13", T0.AddHours(2)), (relabeled.Label, relabeled.LabeledAt));
    }

    [Fact]
    public async Task ReadLabeled_FiltersByVersion_AndLimit()
    {
        await Log.AppendAsync([Row("a", 0, version: 1, minute: 1), Row("b", 0, version: 2, minute: 2), Row("c", 0, version: 2, minute: 3)], default);
        await Log.LabelAsync("taxi", [new("a", 0, "1"), new("b", 0, "2"), new("c", 0, "3")], T0, default);

        Assert.Equal(["b", "c"], (await Log.ReadLabeledAsync(Window(version: 2), default)).Select(l => l.Inference.RequestId));
        Assert.Equal(["a"], (await Log.ReadLabeledAsync(Window(limit: 1), default)).Select(l => l.Inference.RequestId));
    }

    [Fact]
    public async Task Prune_DeletesRowsOlderThanTheCutoff()
    {
        await Log.AppendAsync([Row("old", 0, minute: 1), Row("old", 1, minute: 1), Row("new", 0, minute: 10), Row("irisOld", 0, model: "iris", minute: 2)], default);

        Assert.Equal(3, await Log.PruneAsync(T0.AddMinutes(5), 1_000, default));

        Assert.Equal(["new"], (await Log.ReadAsync(Window(), default)).Select(r => r.RequestId));
        Assert.Empty(await Log.ReadAsync(Window("iris"), default));
        Assert.Equal(0, await Log.PruneAsync(T0.AddMinutes(5), 1_000, default));
    }

    [Fact]
    public async Task Prune_KeepsTheNewestRowsOfEachModel_BreakingTimeTiesLikeReads()
    {
        // taxi: 6 rows, three of them at minute 2 (the boundary); iris: 2 rows, under the cap.
        await Log.AppendAsync([
            Row("t1", 0, minute: 1), Row("t2", 0, minute: 2), Row("t2", 1, minute: 2), Row("t3", 0, minute: 2), Row("t4", 0, minute: 3), Row("t5", 0, minute: 4),
            Row("i1", 0, model: "iris", minute: 0), Row("i2", 0, model: "iris", minute: 1),
        ], default);

        Assert.Equal(3, await Log.PruneAsync(T0.AddDays(-2), 3, default));

        Assert.Equal([("t3", 0), ("t4", 0), ("t5", 0)], (await Log.ReadAsync(Window(), default)).Select(r => (r.RequestId, r.Row)));
        Assert.Equal(["i1", "i2"], (await Log.ReadAsync(Window("iris"), default)).Select(r => r.RequestId));
    }

    [Fact]
    public async Task Prune_ByAgeAndByCount_Together()
    {
        await Log.AppendAsync([.. Enumerable.Range(0, 10).Select(i => Row($"r{i}", 0, minute: i))], default);

        // Age takes r0..r3; the cap of 4 then takes r4, r5.
        Assert.Equal(6, await Log.PruneAsync(T0.AddMinutes(4), 4, default));

        Assert.Equal(["r6", "r7", "r8", "r9"], (await Log.ReadAsync(Window(), default)).Select(r => r.RequestId));
    }
}

public sealed class SqliteInferenceLogContractTests : InferenceLogContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-inference-log-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresInferenceLogContractTests : InferenceLogContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
