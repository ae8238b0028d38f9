using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>The inference log's chunks seen through the interface: one per model per append, windows and limits that
/// cut across chunks (overlapping ones too), and retention by whole chunk.</summary>
public abstract partial class InferenceLogContractTests
{
    [Fact]
    public async Task Append_OfManyModels_WritesOneChunkPerModel()
    {
        await Log.AppendAsync([Row("a", 0, minute: 1), Row("b", 0, model: "iris", minute: 1), Row("c", 0, minute: 2), Row("d", 0, model: "fraud", minute: 3), Row("e", 0, model: "iris", minute: 4)], default);

        Assert.Equal([("fraud", 1L), ("iris", 2L), ("taxi", 2L)], await ChunksAsync());
        Assert.Equal(["a", "c"], (await Log.ReadAsync(Window(), default)).Select(r => r.RequestId));
        Assert.Equal(["b", "e"], (await Log.ReadAsync(Window("iris"), default)).Select(r => r.RequestId));
        Assert.Equal(["d"], (await Log.ReadAsync(Window("fraud"), default)).Select(r => r.RequestId));
    }

    [Fact]
    public async Task Append_SplitsRowsMoreThanAnHourApart_SoReadsAndLabelsBoundedFromBelowStillFindThem()
    {
        // One append spanning three hours (a backlog): reads and label lookups only look at chunks that start at most
        // an hour before the earliest time they want, so no chunk may start further back than that from its rows.
        var ids = Enumerable.Range(0, 4).Select(i => V7(T0.AddMinutes(70 * i), i)).ToArray();
        await Log.AppendAsync([.. ids.Select((id, i) => Row(id, 0, minute: 70 * i))], default);

        Assert.Equal([("taxi", 1L), ("taxi", 1L), ("taxi", 1L), ("taxi", 1L)], await ChunksAsync());
        Assert.Equal([ids[3]], (await Log.ReadAsync(new InferenceWindow("taxi", T0.AddMinutes(200), T0.AddMinutes(300)), default)).Select(r => r.RequestId));
        Assert.Empty(await Log.LabelAsync("taxi", [new InferenceLabel(ids[3], 0, "7.5")], T0.AddHours(5), default));
        Assert.Equal([ids[3]], (await Log.ReadLabeledAsync(Window(), default)).Select(r => r.Inference.RequestId));
    }

    [Fact]
    public async Task Read_MergesOverlappingChunks_InOrder_WithinTheWindow()
    {
        // Chunk A has the even minutes 0..10, chunk B the odd minutes 1..11, chunk C minutes 20..24.
        await Log.AppendAsync([.. Enumerable.Range(0, 6).Select(i => Row($"a{i}", 0, minute: 2 * i))], default);
        await Log.AppendAsync([.. Enumerable.Range(0, 6).Select(i => Row($"b{i}", 0, minute: (2 * i) + 1))], default);
        await Log.AppendAsync([.. Enumerable.Range(0, 5).Select(i => Row($"c{i}", 0, minute: 20 + i))], default);

        Assert.Equal(["a0", "b0", "a1", "b1", "a2"], (await Log.ReadAsync(Window(limit: 5), default)).Select(r => r.RequestId));
        Assert.Equal(["b2", "a3", "b3", "a4", "b4", "a5", "b5", "c0", "c1"],
            (await Log.ReadAsync(new InferenceWindow("taxi", T0.AddMinutes(5), T0.AddMinutes(22)), default)).Select(r => r.RequestId));
        Assert.Equal(17, (await Log.ReadAsync(Window(), default)).Count);
    }

    [Fact]
    public async Task Read_AtTheLimit_StillTakesALaterChunksRowThatTiesTheLastOnesTime()
    {
        // The limit's 2nd row so far is "c" at minute 2; a later chunk starts at minute 2 with "a", which sorts first.
        await Log.AppendAsync([Row("b", 0, minute: 1), Row("c", 0, minute: 2)], default);
        await Log.AppendAsync([Row("a", 0, minute: 2), Row("z", 0, minute: 3)], default);

        Assert.Equal(["b", "a"], (await Log.ReadAsync(Window(limit: 2), default)).Select(r => r.RequestId));
    }

    [Fact]
    public async Task Read_WithALimit_OverManyChunks_GivesTheOldestRows_EvenFromChunksWrittenLater()
    {
        // 40 one-row chunks, newest first, so the oldest rows are in the chunks written last.
        for (var i = 39; i >= 0; i--)
        {
            await Log.AppendAsync([Row($"r{i:D2}", 0, minute: i)], default);
        }

        Assert.Equal(["r00", "r01", "r02"], (await Log.ReadAsync(Window(limit: 3), default)).Select(r => r.RequestId));
        Assert.Equal([.. Enumerable.Range(0, 40).Select(i => $"r{i:D2}")], (await Log.ReadAsync(Window(limit: 40), default)).Select(r => r.RequestId));
        Assert.Equal(["r17", "r18"], (await Log.ReadAsync(new InferenceWindow("taxi", T0.AddMinutes(17), T0.AddDays(1), Limit: 2), default)).Select(r => r.RequestId));
    }

    [Fact]
    public async Task Read_OverManySmallOverlappingChunks_MatchesSortingEveryRow_ForEveryLimitAndVersion()
    {
        // 60 chunks of 1-3 rows, times shuffled so spans overlap and later chunks hold older rows; two versions.
        var random = new Random(11);
        var all = new List<InferenceRecord>();
        for (var c = 0; c < 60; c++)
        {
            var chunk = Enumerable.Range(0, 1 + (c % 3))
                .Select(r => Row($"c{c:D2}", r, version: 1 + ((c + r) % 2), minute: random.Next(0, 90))).ToList();
            all.AddRange(chunk);
            await Log.AppendAsync(chunk, default);
        }

        foreach (var version in new int?[] { null, 1, 2 })
        {
            var wanted = all.Where(r => version is null || r.Version == version)
                .OrderBy(r => r.At).ThenBy(r => r.RequestId, StringComparer.Ordinal).ThenBy(r => r.Row).ToList();
            foreach (var limit in new[] { 1, 2, 3, 7, 16, 40, 59, 119, 500 })
            {
                Assert.Equal(wanted.Take(limit).Select(r => (r.RequestId, r.Row)),
                    (await Log.ReadAsync(Window(version: version, limit: limit), default)).Select(r => (r.RequestId, r.Row)));
            }
        }
    }

    [Fact]
    public async Task Prune_ByAge_DeletesWholeChunksWhoseNewestRowIsBeforeTheCutoff()
    {
        await Log.AppendAsync([Row("old", 0, minute: 1), Row("old", 1, minute: 2), Row("irisOld", 0, model: "iris", minute: 2)], default);
        await Log.AppendAsync([Row("straddles", 0, minute: 3), Row("straddles", 1, minute: 6)], default);
        await Log.AppendAsync([Row("new", 0, minute: 10)], default);

        // The cutoff at minute 5 takes the first chunks whole; the straddling chunk keeps its minute-3 row.
        Assert.Equal(3, await Log.PruneAsync(T0.AddMinutes(5), 1_000, default));

        Assert.Equal([("straddles", 0), ("straddles", 1), ("new", 0)], (await Log.ReadAsync(Window(), default)).Select(r => (r.RequestId, r.Row)));
        Assert.Empty(await Log.ReadAsync(Window("iris"), default));
        Assert.Equal(0, await Log.PruneAsync(T0.AddMinutes(5), 1_000, default));
    }

    [Fact]
    public async Task Prune_ByRows_KeepsTheNewestChunksHoldingTheCap_PerModel()
    {
        // taxi: chunks of 2, 3, 2 and 1 rows (oldest first); iris: 2 rows, under the cap.
        await Log.AppendAsync([Row("t1", 0, minute: 1), Row("t1", 1, minute: 1), Row("i1", 0, model: "iris", minute: 0), Row("i2", 0, model: "iris", minute: 1)], default);
        await Log.AppendAsync([Row("t2", 0, minute: 2), Row("t2", 1, minute: 2), Row("t3", 0, minute: 3)], default);
        await Log.AppendAsync([Row("t4", 0, minute: 4), Row("t5", 0, minute: 5)], default);
        await Log.AppendAsync([Row("t6", 0, minute: 6)], default);

        // A cap of 4: the newest chunks give 1 + 2 = 3 rows, then the 3-row chunk is needed for the 4th row and
        // stays whole (6 rows kept); only the oldest chunk lies wholly beyond the cap.
        Assert.Equal(2, await Log.PruneAsync(T0.AddDays(-2), 4, default));
        Assert.Equal(["t2", "t2", "t3", "t4", "t5", "t6"], (await Log.ReadAsync(Window(), default)).Select(r => r.RequestId));
        Assert.Equal(["i1", "i2"], (await Log.ReadAsync(Window("iris"), default)).Select(r => r.RequestId));

        // A cap of 3 is met by the two newest chunks exactly.
        Assert.Equal(3, await Log.PruneAsync(T0.AddDays(-2), 3, default));
        Assert.Equal(["t4", "t5", "t6"], (await Log.ReadAsync(Window(), default)).Select(r => r.RequestId));
    }

    [Fact]
    public async Task Prune_ByAgeAndByRows_Together_TakesTheLabelsOfThePrunedRows()
    {
        for (var i = 0; i < 10; i++)
        {
            await Log.AppendAsync([Served(i, minute: i)], default);
        }

        await Log.AppendAsync([Served(100, model: "iris", minute: 1)], default);
        await Log.LabelAsync("taxi", [.. Enumerable.Range(0, 10).Select(i => new InferenceLabel(V7(T0.AddMinutes(i), i), 0, "1"))], T0, default);
        await Log.LabelAsync("iris", [new InferenceLabel(V7(T0.AddMinutes(1), 100), 0, "1")], T0, default);

        // Age takes minutes 0..3; the cap of 4 then takes minutes 4 and 5; iris is old enough to go whole.
        Assert.Equal(7, await Log.PruneAsync(T0.AddMinutes(4), 4, default));

        Assert.Equal([6, 7, 8, 9], (await Log.ReadAsync(Window(), default)).Select(r => r.At.Minute));
        Assert.Equal([6, 7, 8, 9], (await Log.ReadLabeledAsync(Window(), default)).Select(l => l.Inference.At.Minute));
        Assert.Empty(await Log.ReadLabeledAsync(Window("iris"), default));
    }
}
