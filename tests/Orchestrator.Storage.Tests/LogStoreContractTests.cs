using Orchestrator.Core.Model;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests;

/// <summary>Reading a try's log after a line number: what <c>tasks logs --follow</c> polls while the try runs.</summary>
public abstract class LogStoreContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly RunId Run = new("r1");
    private static readonly TaskId Task1 = new("t");

    [Fact]
    public async Task ReadAfter_ReturnsOnlyLaterLinesOfThatTry_InOrder_WithGrowingNumbers()
    {
        await Store.Logs.AppendAsync(Run, Task1, 1, [Line(0, "a"), Line(1, "b")], default);
        await Store.Logs.AppendAsync(Run, Task1, 2, [Line(2, "other try")], default);
        await Store.Logs.AppendAsync(new RunId("r2"), Task1, 1, [Line(2, "other run")], default);
        await Store.Logs.AppendAsync(Run, new TaskId("u"), 1, [Line(2, "other task")], default);

        var first = await Store.Logs.ReadAfterAsync(Run, Task1, 1, 0, 100, default);
        Assert.Equal(["a", "b"], first.Select(l => l.Line.Message));
        Assert.Equal(new StoredLogLine(T0, "stdout", "a"), first[0].Line);
        Assert.True(first[0].Id < first[1].Id);

        Assert.Empty(await Store.Logs.ReadAfterAsync(Run, Task1, 1, first[^1].Id, 100, default));

        await Store.Logs.AppendAsync(Run, Task1, 1, [Line(3, "c"), Line(4, "d"), Line(5, "e")], default);
        var page = await Store.Logs.ReadAfterAsync(Run, Task1, 1, first[^1].Id, 2, default);
        Assert.Equal(["c", "d"], page.Select(l => l.Line.Message));
        var rest = await Store.Logs.ReadAfterAsync(Run, Task1, 1, page[^1].Id, 2, default);
        Assert.Equal(["e"], rest.Select(l => l.Line.Message));
        Assert.Equal(["a", "b", "c", "d", "e"], (await Store.Logs.ReadAsync(Run, Task1, 1, default)).Select(l => l.Message));
    }

    [Fact]
    public async Task ReadAfter_OfATryWithoutLines_IsEmpty_AndALimitBelowOneIsRefused()
    {
        Assert.Empty(await Store.Logs.ReadAfterAsync(Run, Task1, 1, 0, 10, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.Logs.ReadAfterAsync(Run, Task1, 1, 0, 0, default));
    }

    private static StoredLogLine Line(int second, string message) => new(T0.AddSeconds(second), "stdout", message);
}
public sealed class SqliteLogStoreContractTests : LogStoreContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-logs-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
public sealed class PostgresLogStoreContractTests : LogStoreContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
