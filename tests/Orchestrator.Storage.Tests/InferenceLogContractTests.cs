using System.Globalization;
using Dapper;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests;

/// <summary>What the inference log must do on every backend: append in batches (one chunk per model per append),
/// read a model's window across chunks (version, limit, oldest first), match labels by their UUIDv7 id only to the
/// model's own rows, prune whole chunks by age and by rows per model, and keep the rows migration 011 moved.</summary>
public abstract partial class InferenceLogContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private IInferenceLogStore Log => Store.Inference;

    private static InferenceRecord Row(string request, int row, string model = "taxi", int version = 1, int minute = 0) =>
        new(request, row, model, version, T0.AddMinutes(minute), $$"""{"trip_distance":{{row + minute}}.5,"vendor_id":"CMT"}""", $"{minute}.25");

    private static InferenceWindow Window(string model = "taxi", int? version = null, int limit = 100_000) =>
        new(model, T0.AddDays(-1), T0.AddDays(1), version, limit);

    /// <summary>A UUIDv7 hex id as serving makes them, from <paramref name="at"/>'s Unix milliseconds, with
    /// <paramref name="n"/> in the random bits so that ids at one instant order by n.</summary>
    private static string V7(DateTimeOffset at, int n) =>
        string.Create(CultureInfo.InvariantCulture, $"{at.ToUnixTimeMilliseconds():x12}7000{8:x1}{n:x15}");

    /// <summary>A row whose id is a UUIDv7 of its own time, as serving logs them: the only rows labels can find.</summary>
    private static InferenceRecord Served(int n, int row = 0, string model = "taxi", int version = 1, int minute = 0) =>
        Row(V7(T0.AddMinutes(minute), n), row, model, version, minute);

    /// <summary>The backend's database, for what the interface cannot see (chunk rows, the 007 schema).</summary>
    protected abstract SqlDatabase Database();

    private protected async Task<T> RawAsync<T>(Func<System.Data.Common.DbConnection, Task<T>> work)
    {
        var database = Database();
        try
        {
            await using var connection = await database.OpenAsync(default);
            return await work(connection);
        }
        finally
        {
            if (database is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    private Task<List<(string Model, long Rows)>> ChunksAsync() => RawAsync(async c =>
        (await c.QueryAsync<(string, long)>("SELECT model, row_count FROM inference_chunks ORDER BY model, first_at, id")).ToList());

    [Fact]
    public async Task Migration11_IsApplied()
    {
        Assert.Contains(11, await Store.AppliedMigrationsAsync(default));
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
    public async Task Append_OfManyRows_GivesEveryRowBackExactly()
    {
        var rows = Enumerable.Range(0, 600).Select(i => Served(i / 3, i % 3, minute: i / 10)).ToList();
        await Log.AppendAsync(rows, default);
        await Log.AppendAsync([], default);

        Assert.Equal(rows.OrderBy(r => r.At).ThenBy(r => r.RequestId, StringComparer.Ordinal).ThenBy(r => r.Row), await Log.ReadAsync(Window(), default));
    }

    [Fact]
    public async Task InputsAndPredictions_ComeBackByteForByte_AndARowThatIsNotJsonIsRefused()
    {
        var odd = Row("r1", 0) with { Inputs = """{"city": "Z\u00fcrich \"old\"", "n": [1, 2.50, null], "x": {}}""", Prediction = """{"label":"a","scores":[0.1,0.9]}""" };
        var text = Row("r2", 0, minute: 1) with { Prediction = "\"setosa\"" };
        await Log.AppendAsync([odd, text], default);

        Assert.Equal([odd, text], await Log.ReadAsync(Window(), default));
        var bad = Row("r3", 0, minute: 2) with { Inputs = "{not json" };
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Log.AppendAsync([Row("r4", 0, minute: 2), bad], default));
        Assert.Contains("Inputs", error.Message, StringComparison.Ordinal);
        Assert.Contains("r3", error.Message, StringComparison.Ordinal);
        Assert.Equal([odd, text], await Log.ReadAsync(Window(), default)); // nothing of the refused batch
    }

    [Fact]
    public async Task Labels_FindRowsAcrossChunks_MatchOnlyTheModelsOwnRows_AndUnknownOnesChangeNothing()
    {
        // Three appends, three chunks of taxi (the middle one shared with iris).
        await Log.AppendAsync([Served(1, 0, minute: 1), Served(1, 1, minute: 1)], default);
        await Log.AppendAsync([Served(2, 0, minute: 2), Served(3, 0, model: "iris", minute: 2)], default);
        await Log.AppendAsync([Served(4, 0, minute: 30)], default);
        var r1 = V7(T0.AddMinutes(1), 1);
        var r2 = V7(T0.AddMinutes(2), 2);
        var r4 = V7(T0.AddMinutes(30), 4);
        var x3 = V7(T0.AddMinutes(2), 3);

        var unknown = await Log.LabelAsync("taxi", [
            new InferenceLabel(r1, 1, "12.5"),
            new InferenceLabel(r4, 0, "7"),
            new InferenceLabel(r2, 0, "\"high\""),
            new InferenceLabel(r1, 7, "1"), // no such row
            new InferenceLabel(V7(T0.AddMinutes(1), 9), 0, "1"), // no such request, in a chunk's span
            new InferenceLabel(V7(T0.AddMinutes(10), 1), 0, "1"), // no such request, between chunks
            new InferenceLabel(x3, 0, "3"), // another model's row
            new InferenceLabel("nope", 0, "1"), // not a UUID
            new InferenceLabel(Guid.Parse(r1).ToString("D"), 1, "1"), // the row's id, but not as 32 hex digits
            new InferenceLabel(string.Concat(r1.AsSpan(0, 12), "4", r1.AsSpan(13)), 1, "1"), // a version 4 id
            new InferenceLabel(string.Concat(r1.AsSpan(0, 31), "g"), 1, "1"), // not hex
        ], T0.AddHours(1), default);

        Assert.Equal(8, unknown.Count);
        Assert.Equal(["1", "1", "1", "3", "1", "1", "1", "1"], unknown.Select(l => l.Label));
        var labeled = await Log.ReadLabeledAsync(Window(), default);
        Assert.Equal([(Served(1, 1, minute: 1), "12.5"), (Served(2, 0, minute: 2), "\"high\""), (Served(4, 0, minute: 30), "7")], labeled.Select(l => (l.Inference, l.Label)));
        Assert.All(labeled, l => Assert.Equal(T0.AddHours(1), l.LabeledAt));
        Assert.Empty(await Log.ReadLabeledAsync(Window("iris"), default));

        // A later label replaces the earlier one.
        Assert.Empty(await Log.LabelAsync("taxi", [new InferenceLabel(r1, 1, "13")], T0.AddHours(2), default));
        var relabeled = (await Log.ReadLabeledAsync(Window(), default))[0];
        Assert.Equal(("13", T0.AddHours(2)), (relabeled.Label, relabeled.LabeledAt));
    }

    [Fact]
    public async Task Labels_FindARowWhoseIdWasMadeBeforeItsTime()
    {
        // The chunk's span covers the id's time even when the caller's row time is later (migrated 007 rows were so).
        var id = V7(T0, 1);
        await Log.AppendAsync([Row(id, 0, minute: 5)], default);
        await Log.AppendAsync([Served(2, 0, minute: 20)], default);

        Assert.Empty(await Log.LabelAsync("taxi", [new InferenceLabel(id, 0, "1")], T0.AddHours(1), default));
        Assert.Equal([id], (await Log.ReadLabeledAsync(Window(), default)).Select(l => l.Inference.RequestId));
    }

    [Fact]
    public async Task ReadLabeled_FiltersByVersion_AndLimit()
    {
        await Log.AppendAsync([Served(1, version: 1, minute: 1), Served(2, version: 2, minute: 2), Served(3, version: 2, minute: 3)], default);
        await Log.LabelAsync("taxi", [new(V7(T0.AddMinutes(1), 1), 0, "1"), new(V7(T0.AddMinutes(2), 2), 0, "2"), new(V7(T0.AddMinutes(3), 3), 0, "3")], T0, default);

        Assert.Equal([2, 3], (await Log.ReadLabeledAsync(Window(version: 2), default)).Select(l => l.Inference.At.Minute));
        Assert.Equal([1], (await Log.ReadLabeledAsync(Window(limit: 1), default)).Select(l => l.Inference.At.Minute));
    }
}

public sealed class SqliteInferenceLogContractTests : InferenceLogContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-inference-log-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();

    protected override SqlDatabase Database() => new SqliteDatabase(_backend.DatabaseFile);
}

public sealed class PostgresInferenceLogContractTests : InferenceLogContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();

    protected override SqlDatabase Database() => new PostgresDatabase(PostgresBackend.ConnectionString, _backend.Schema);
}
