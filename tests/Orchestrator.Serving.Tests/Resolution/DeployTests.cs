using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.ML.Models;
using Orchestrator.Serving.Tests.Fixtures;

namespace Orchestrator.Serving.Tests.Resolution;

/// <summary>A deploy (alias moved + notifier) while requests run: none fails, each is answered by the old or the new
/// version, then only by the new one; the old model is released only once nothing holds it.</summary>
public sealed class DeployTests : IAsyncLifetime
{
    private const string Url = "/models/taxi/invocations";
    private ServingHost _host = null!;
    private string _body = null!;

    public async Task InitializeAsync()
    {
        _host = await ServingHost.StartAsync(options => options.IdleModelRelease = TimeSpan.FromMinutes(1));
        await _host.RegisterAsync("taxi", MlTask.Regression);
        await _host.RegisterAsync("taxi", MlTask.Regression, fareScale: 100);
        await _host.RegisterAsync("taxi", MlTask.Regression, fareScale: 10_000);
        await _host.SetAliasAsync("taxi", "production", 1);
        _body = JsonSerializer.Serialize(new { dataframe_records = TaxiModels.Records(1) });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(int Version, double Fare)> ScoreAsync(string query = "")
    {
        var response = await _host.PostAsync(Url + query, _body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var version = int.Parse(response.Headers.GetValues("X-Model-Version").Single(), System.Globalization.CultureInfo.InvariantCulture);
        return (version, (double)JsonNode.Parse(text)!["predictions"]![0]!);
    }

    /// <summary>Version 1 predicts fares of tens, version 2 (trained on fare × 100) of thousands.</summary>
    private static int VersionOfFare(double fare) => fare < 500 ? 1 : fare < 50_000 ? 2 : 3;

    [Fact]
    public async Task A_deploy_during_a_request_stream_fails_none_and_then_serves_only_the_new_version()
    {
        await ScoreAsync();
        await ScoreAsync("?version=2");
        const int Clients = 8;
        var deployed = 0;
        var startedBeforeSwitch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completed = 0;
        var replies = new ConcurrentBag<(bool AfterSwitch, int Version, double Fare)>();

        async Task ClientAsync()
        {
            var afterSwitch = 0;
            while (afterSwitch < 30)
            {
                var switched = Volatile.Read(ref deployed) == 1;
                var (version, fare) = await ScoreAsync();
                replies.Add((switched, version, fare));
                if (Interlocked.Increment(ref completed) == Clients * 20)
                {
                    startedBeforeSwitch.SetResult();
                }

                afterSwitch += switched ? 1 : 0;
            }
        }

        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(ClientAsync)).ToList();
        await startedBeforeSwitch.Task;
        await _host.SetAliasAsync("taxi", "production", 2);
        await _host.Notifier.AliasMovedAsync("taxi", "production", CancellationToken.None);
        Volatile.Write(ref deployed, 1);
        await Task.WhenAll(clients);

        Assert.All(replies, reply => Assert.Equal(reply.Version, VersionOfFare(reply.Fare)));
        Assert.Contains(replies, reply => reply.Version == 1);
        Assert.All(replies.Where(reply => reply.AfterSwitch), reply => Assert.Equal(2, reply.Version));
        Assert.Equal(Clients * 30, replies.Count(reply => reply.AfterSwitch));
    }

    [Fact]
    public async Task A_request_holding_the_old_version_finishes_on_it_and_the_old_model_is_released_after()
    {
        await ScoreAsync();
        var inFlight = await _host.Served.AcquireAsync("taxi", null, null, CancellationToken.None);
        Assert.Equal(1, inFlight.Model.Version);
        var old = Assert.Single(_host.Reader.Loaded);

        await _host.SetAliasAsync("taxi", "production", 2);
        await _host.Notifier.AliasMovedAsync("taxi", "production", CancellationToken.None);
        Assert.Equal(2, (await ScoreAsync()).Version);

        // Idle long enough to be released, but still held by the request in flight: retired, not disposed.
        _host.Time.Advance(TimeSpan.FromMinutes(2));
        await _host.Served.RefreshAsync(CancellationToken.None);
        Assert.DoesNotContain(("taxi", 1), _host.Served.LoadedVersions);
        Assert.False(old.Disposed);
        using (var scorer = new ScorerLease(inFlight.Model))
        {
            var row = inFlight.Model.Binding.NewRow();
            Assert.True(scorer.Scorer.Predict(row).Value < 500);
        }

        inFlight.Dispose();
        Assert.True(old.Disposed);

        // Asked for explicitly, version 1 loads again.
        Assert.Equal(1, (await ScoreAsync("?version=1")).Version);
    }

    [Fact]
    public async Task A_version_still_in_use_or_still_aliased_is_not_released()
    {
        await ScoreAsync();
        await _host.SetAliasAsync("taxi", "production", 2);
        await _host.Notifier.AliasMovedAsync("taxi", "production", CancellationToken.None);
        _host.Time.Advance(TimeSpan.FromSeconds(30));
        await ScoreAsync("?version=1");
        _host.Time.Advance(TimeSpan.FromSeconds(45));
        await _host.Served.RefreshAsync(CancellationToken.None);
        Assert.Contains(("taxi", 1), _host.Served.LoadedVersions);
        Assert.Contains(("taxi", 2), _host.Served.LoadedVersions);

        _host.Time.Advance(TimeSpan.FromMinutes(5));
        await _host.Served.RefreshAsync(CancellationToken.None);
        Assert.Equal([("taxi", 2)], _host.Served.LoadedVersions);
    }

    [Fact]
    public async Task Two_concurrent_moves_leave_the_alias_on_its_final_value()
    {
        await ScoreAsync();
        await ScoreAsync("?version=2");
        await ScoreAsync("?version=3");

        // The first notification reads "version 2" and is held; meanwhile the alias moves on to 3 and a second
        // notification runs. Served must end on 3, not on the stale read.
        var holdFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        _host.Registry.BeforeAliasRead = async (_, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                firstHeld.SetResult();
                await holdFirst.Task;
            }
        };

        await _host.SetAliasAsync("taxi", "production", 2);
        var first = _host.Notifier.AliasMovedAsync("taxi", "production", CancellationToken.None);
        await firstHeld.Task;
        await _host.SetAliasAsync("taxi", "production", 3);
        var second = _host.Notifier.AliasMovedAsync("taxi", "production", CancellationToken.None);
        holdFirst.SetResult();
        await Task.WhenAll(first, second);

        Assert.Equal(3, _host.Served.ServedAliases[("taxi", "production")]);
        Assert.Equal(3, (await ScoreAsync()).Version);
    }

    [Fact]
    public async Task Many_concurrent_moves_end_where_the_registry_ends()
    {
        await ScoreAsync();
        await ScoreAsync("?version=2");
        await ScoreAsync("?version=3");
        var random = new Random(7);
        for (var round = 0; round < 20; round++)
        {
            var moves = Enumerable.Range(0, 4).Select(_ => random.Next(1, 4)).Select(version => Task.Run(async () =>
            {
                await _host.SetAliasAsync("taxi", "production", version);
                await _host.Notifier.AliasMovedAsync("taxi", "production", CancellationToken.None);
            }));
            await Task.WhenAll(moves);
            var final = (await _host.Registry.GetByAliasAsync("taxi", "production", CancellationToken.None))!.Version;
            Assert.Equal(final, _host.Served.ServedAliases[("taxi", "production")]);
            Assert.Equal(final, (await ScoreAsync()).Version);
        }
    }

    [Fact]
    public async Task Moves_made_elsewhere_are_served_after_the_refresh_interval()
    {
        await ScoreAsync();
        await ScoreAsync("?version=2");
        await _host.SetAliasAsync("taxi", "production", 2);
        Assert.Equal(1, (await ScoreAsync()).Version);

        _host.Time.Advance(TimeSpan.FromSeconds(5));
        var version = 1;
        for (var attempt = 0; attempt < 1000 && version == 1; attempt++)
        {
            await Task.Yield();
            version = (await ScoreAsync()).Version;
        }

        Assert.Equal(2, version);
    }

    [Fact]
    public async Task A_deleted_alias_is_404_after_refresh()
    {
        await ScoreAsync();
        await _host.Registry.DeleteAliasAsync("taxi", "production", "test", null, _host.Time.GetUtcNow(), CancellationToken.None);
        await _host.Served.RefreshAsync(CancellationToken.None);
        var response = await _host.PostAsync(Url, _body);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private readonly struct ScorerLease(Orchestrator.Serving.Resolution.ServedModel model) : IDisposable
    {
        public IModelScorer Scorer { get; } = model.Scorers.Get();

        public void Dispose() => model.Scorers.Return(Scorer);
    }
}
