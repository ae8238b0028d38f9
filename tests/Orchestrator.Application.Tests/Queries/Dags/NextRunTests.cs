using Orchestrator.Core.Model;

namespace Orchestrator.Application.Tests.Queries.Dags;

/// <summary>The DAGs list's "next run": from the latest version's schedule, time zone and start, at the fake clock's
/// now (2026-03-01 12:00 UTC); none when paused or unscheduled; catchup has no say in it.</summary>
public abstract class NextRunTests
{
    protected abstract ITestBackend Backend();

    [Theory]
    [InlineData("\"0 3 * * *\"", "", "2026-03-02T03:00:00Z")]
    [InlineData("\"*/15 * * * *\"", "", "2026-03-01T12:15:00Z")]
    [InlineData("\"@hourly\"", "", "2026-03-01T13:00:00Z")]
    [InlineData("\"@daily\"", "", "2026-03-02T00:00:00Z")]
    [InlineData("\"@weekly\"", "", "2026-03-08T00:00:00Z")] // 2026-03-01 is a Sunday: the next Sunday midnight
    [InlineData("\"@monthly\"", "", "2026-04-01T00:00:00Z")]
    [InlineData("\"0 3 * * *\"", ", \"timezone\": \"Europe/Paris\"", "2026-03-02T02:00:00Z")] // 03:00 CET = 02:00 UTC
    [InlineData("\"0 3 * * *\"", ", \"timezone\": \"America/New_York\"", "2026-03-02T08:00:00Z")] // 03:00 EST
    [InlineData("\"@daily\"", ", \"start\": \"2026-06-01T00:00:00Z\"", "2026-06-01T00:00:00Z")] // not before its start
    [InlineData("\"@daily\"", ", \"start\": \"2026-06-01T00:00:00Z\", \"catchup\": true", "2026-06-01T00:00:00Z")]
    [InlineData("\"@daily\"", ", \"start\": \"2020-01-01T00:00:00Z\", \"catchup\": true", "2026-03-02T00:00:00Z")] // catchup is the scheduler's business
    [InlineData("\"@daily\"", ", \"start\": \"2020-01-01T00:00:00Z\", \"catchup\": false", "2026-03-02T00:00:00Z")]
    public async Task NextRun_FollowsTheSchedule_ItsTimeZone_AndItsStart(string schedule, string more, string expected)
    {
        await using var host = await QueryHost.StartAsync(Backend());
        await host.RegisterAsync($$"""{ "id": "d", "schedule": {{schedule}}{{more}}, "tasks": [ { "id": "a", "type": "empty" } ] }""");

        var summary = await host.Dags.GetSummaryAsync(new DagId("d"), default);
        var detail = await host.Dags.GetAsync(new DagId("d"), default);
        var listed = Assert.Single((await host.Dags.ListAsync(null, new PageRequest(0, 10), default)).Items);

        var want = DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((want, want, want), (summary.NextRunAt, detail.NextRunAt, listed.NextRunAt));
    }

    [Fact]
    public async Task NextRun_MovesWithTheClock()
    {
        await using var host = await QueryHost.StartAsync(Backend());
        await host.RegisterAsync("""{ "id": "d", "schedule": "@hourly", "tasks": [ { "id": "a", "type": "empty" } ] }""");

        host.Time.Advance(TimeSpan.FromMinutes(90)); // 13:30

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.Zero), (await host.Dags.GetSummaryAsync(new DagId("d"), default)).NextRunAt);
    }

    [Fact]
    public async Task APausedDag_AndAnUnscheduledDag_HaveNoNextRun_UntilUnpaused()
    {
        await using var host = await QueryHost.StartAsync(Backend());
        await host.RegisterAsync("""{ "id": "paused", "schedule": "@hourly", "tasks": [ { "id": "a", "type": "empty" } ] }""");
        await host.RegisterAsync("""{ "id": "manual", "tasks": [ { "id": "a", "type": "empty" } ] }""");
        await host.Store.Dags.SetPausedAsync(new DagId("paused"), true, host.Time.GetUtcNow(), default);

        var paused = await host.Dags.GetSummaryAsync(new DagId("paused"), default);
        var manual = await host.Dags.GetSummaryAsync(new DagId("manual"), default);

        Assert.Equal((true, (DateTimeOffset?)null, "@hourly"), (paused.IsPaused, paused.NextRunAt, paused.Schedule));
        Assert.Equal((false, (DateTimeOffset?)null, (string?)null), (manual.IsPaused, manual.NextRunAt, manual.Schedule));

        await host.Store.Dags.SetPausedAsync(new DagId("paused"), false, host.Time.GetUtcNow(), default);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 13, 0, 0, TimeSpan.Zero), (await host.Dags.GetSummaryAsync(new DagId("paused"), default)).NextRunAt);
    }

    [Fact]
    public async Task AnUnknownDag_IsNotFound()
    {
        await using var host = await QueryHost.StartAsync(Backend());

        var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Dags.GetSummaryAsync(new DagId("nope"), default));

        Assert.Equal((ProblemKind.NotFound, "no DAG 'nope'"), (problem.Kind, problem.Message));
    }
}

public sealed class SqliteNextRunTests : NextRunTests
{
    protected override ITestBackend Backend() => new SqliteBackend();
}

public sealed class PostgresNextRunTests : NextRunTests
{
    protected override ITestBackend Backend() => new PostgresBackend();
}
