using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Authoring;
using Orchestrator.ML.Models;
using Orchestrator.ML.Tasks;
using Orchestrator.Storage;

namespace Orchestrator.ML.Tests.Tasks;

/// <summary>ml.deploy runs racing each other: the alias always ends where its history says, every move is in the
/// history exactly once and chains from the one before, and the model servers are told after every deploy.</summary>
public sealed class ConcurrentDeployTests
{
    private const int Rounds = 12;

    [Fact]
    public async Task Two_concurrent_deploys_repeated_leave_the_alias_on_the_newest_history_entry()
    {
        var notifier = new RecordingNotifier();
        await using var home = await MlHome.CreateAsync(sampleRows: 0, services => services.AddSingleton<IModelDeploymentNotifier>(notifier));
        notifier.Registry = home.Store.Models;
        await RegistryFixtures.RegisterPlaceholdersAsync(home, count: 3);
        var dag = new DagBuilder("deployer").Param("version", 1);
        dag.Task("deploy", "ml.deploy", new { model = MlHome.Model, alias = "production", version = "{{ params.version }}" });
        var deployer = home.Build(dag);

        for (var round = 0; round < Rounds; round++)
        {
            // Two different versions a round, rotating over three: the alias often points at neither when they race,
            // so a move that read a stale "from" would break the history's chain.
            var (first, second) = ((round % 3) + 1, ((round + 1) % 3) + 1);
            var results = await Task.WhenAll(home.RunAsync(deployer, $$"""{"version": {{first}}}"""), home.RunAsync(deployer, $$"""{"version": {{second}}}"""));
            Assert.All(results, MlHome.Succeeded);

            var alias = (await home.Store.Models.GetByAliasAsync(MlHome.Model, "production", default))!.Version;
            var history = await home.Store.Models.AliasHistoryAsync(MlHome.Model, "production", default);
            Assert.Equal(history[0].ToVersion, alias);
        }

        // Newest first: each move starts where the one before it ended, and none moved the alias onto itself.
        var moves = await home.Store.Models.AliasHistoryAsync(MlHome.Model, "production", default);
        Assert.Null(moves[^1].FromVersion);
        for (var i = 0; i < moves.Count - 1; i++)
        {
            Assert.Equal(moves[i + 1].ToVersion, moves[i].FromVersion);
            Assert.NotEqual(moves[i].FromVersion, moves[i].ToVersion);
        }

        Assert.InRange(moves.Count, Rounds, 2 * Rounds);
        Assert.All(moves, move => Assert.StartsWith("dag:deployer/test__", move.MovedBy, StringComparison.Ordinal));

        // Every deploy told the servers, after its move: the alias they re-read points at a version that exists.
        Assert.Equal(2 * Rounds, notifier.Seen.Count);
        Assert.All(notifier.Seen, seen => Assert.Equal((MlHome.Model, "production"), (seen.Name, seen.Alias)));
        Assert.All(notifier.Seen, seen => Assert.Contains(seen.Version, new int?[] { 1, 2, 3 }));
    }

    [Fact]
    public async Task A_deploy_tells_the_model_servers_after_the_alias_moved()
    {
        var notifier = new RecordingNotifier();
        await using var home = await MlHome.CreateAsync(sampleRows: 0, services => services.AddSingleton<IModelDeploymentNotifier>(notifier));
        notifier.Registry = home.Store.Models;
        await RegistryFixtures.RegisterPlaceholdersAsync(home, count: 2);
        await RegistryFixtures.DeployAsync(home, version: 1);
        var dag = new DagBuilder("deployer");
        dag.Task("deploy", "ml.deploy", new { model = MlHome.Model, version = 2 });

        var result = await home.RunAsync(home.Build(dag));

        MlHome.Succeeded(result);
        Assert.Equal(new DeploymentOutput(MlOutputKinds.Deployment, MlHome.Model, "production", 2, 1),
            MlHome.Output<DeploymentOutput>(result, "deploy", MlOutputKinds.Deployment));
        Assert.Equal((MlHome.Model, "production", (int?)2), Assert.Single(notifier.Seen));
    }

    /// <summary>Re-reads the alias when told, as the serving cache does, and keeps what it saw.</summary>
    private sealed class RecordingNotifier : IModelDeploymentNotifier
    {
        public IModelRegistryStore Registry { get; set; } = null!;

        public ConcurrentQueue<(string Name, string Alias, int? Version)> Seen { get; } = new();

        public async Task AliasMovedAsync(string name, string alias, CancellationToken cancellationToken) =>
            Seen.Enqueue((name, alias, (await Registry.GetByAliasAsync(name, alias, cancellationToken))?.Version));
    }
}
