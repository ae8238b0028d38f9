using Microsoft.Extensions.Time.Testing;
using Orchestrator.Application.Queries.Ml;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Application.Tests.Queries.Ml;

/// <summary>The alias move the CLI and the REST API share, over a real SQLite store.</summary>
public sealed class ModelAliasCommandsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-alias-").FullName;
    private readonly FakeTimeProvider _time = new(T0);
    private SqlMetadataStore _store = null!;
    private IModelAliasCommands _commands = null!;

    public async Task InitializeAsync()
    {
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), _time, default);
        _commands = MlQueriesServiceCollectionExtensions.AliasCommands(_store.Models, _time);
        for (var run = 1; run <= 2; run++)
        {
            await _store.Models.RegisterVersionAsync(new NewModelVersion("fare", new string('a', 64), "{}", null, null, "{}", "{}",
                new RunLineage("retrain", $"r{run}", "register", 1)), T0, default);
        }
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Move_RecordsTheActorAndTime_AndAnAlreadyThereMoveRecordsNothing()
    {
        _time.Advance(TimeSpan.FromMinutes(5));
        var first = await _commands.MoveAsync("fare", "production", 1, "first", new Actor("alice"), default);
        Assert.Equal(new AliasMoveResult(new AliasHistoryEntry("production", 1, null, "alice", "first", T0.AddMinutes(5)), true), first);

        _time.Advance(TimeSpan.FromMinutes(5));
        var second = await _commands.MoveAsync("fare", "production", 2, null, new Actor("bob"), default);
        Assert.Equal(new AliasHistoryEntry("production", 2, 1, "bob", null, T0.AddMinutes(10)), second.Entry);

        var again = await _commands.MoveAsync("fare", "production", 2, "again", new Actor("carol"), default);
        Assert.Equal(new AliasMoveResult(second.Entry, false), again);
        Assert.Equal(2, (await _store.Models.AliasHistoryAsync("fare", "production", default)).Count);
    }

    [Theory]
    [InlineData("bad name", "production", 1, null, "name")]
    [InlineData("fare", "latest", 1, null, "alias")]
    [InlineData("fare", "v2", 1, null, "alias")]
    [InlineData("fare", "production", 0, null, "version")]
    [InlineData("fare", "production", 1, "bad\u001b[31m", "reason")]
    [InlineData("fare", "production", 1, "line\nbreak", "reason")]
    public async Task BadInput_IsInvalid_NamingTheField_AndWritesNothing(string name, string alias, int version, string? reason, string field)
    {
        var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => _commands.MoveAsync(name, alias, version, reason, new Actor("alice"), default));
        Assert.Equal((ProblemKind.Invalid, field), (problem.Kind, problem.Field));
        Assert.Empty(await _store.Models.AliasHistoryAsync("fare", null, default));
    }

    [Fact]
    public async Task AReasonTooLong_IsInvalid()
    {
        var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() =>
            _commands.MoveAsync("fare", "production", 1, new string('x', AliasMoveRules.MaxReason + 1), new Actor("alice"), default));
        Assert.Equal("reason", problem.Field);
    }

    [Theory]
    [InlineData("nope", 1, "no model 'nope'")]
    [InlineData("fare", 9, "model 'fare' has no version 9")]
    public async Task UnknownModelOrVersion_IsNotFound_AndWritesNothing(string name, int version, string message)
    {
        var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => _commands.MoveAsync(name, "production", version, null, new Actor("alice"), default));
        Assert.Equal((ProblemKind.NotFound, message), (problem.Kind, problem.Message));
        Assert.Empty(await _store.Models.AliasHistoryAsync("fare", null, default));
    }
}
