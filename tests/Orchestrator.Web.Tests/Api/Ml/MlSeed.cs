using System.Globalization;
using System.Text;
using Orchestrator.Core.Secrets;
using Orchestrator.ML.Data;
using Orchestrator.Storage.Records;

namespace Orchestrator.Web.Tests.Api.Ml;

/// <summary>Real registry, tracking and dataset records written through the stores: a dataset profiled by the same
/// ingestor <c>ml.ingest</c> runs, three tracking runs with metric histories, three versions of model <c>fare</c>
/// with an alias moved twice, two more models, a Variable and a Connection holding secrets.</summary>
internal sealed record MlSeed(string TripsDigest, string OtherDigest, string ExperimentId, string RunA, string RunB, string RunC)
{
    public const string VariableSecret = "var-secret-4711";
    public const string ConnectionPassword = "conn-password-4711";
    public const string ExtraToken = "extra-token-4711";
    public const string ParamSecret = "param-secret-4711";

    private static readonly RunLineage Outside = new(null, null, null, null);

    public static async Task<MlSeed> WriteAsync(MlApiApp app)
    {
        var t0 = MlApiApp.Now.AddDays(-3);
        var store = app.Store;
        var trips = await IngestAsync(app, "trips", Trips(400), t0, new RunLineage("retrain", "run-1", "ingest", 1));
        var other = await IngestAsync(app, "other", "x,y\n1,a\n2,b\n", t0.AddHours(1), Outside);

        var experiment = await store.Tracking.GetOrCreateExperimentAsync("fare", t0, default);
        var runA = await RunAsync(app, experiment.Id, "sdca", t0.AddHours(2), [3.5, 2.9, 2.5], "0.1");
        var runB = await RunAsync(app, experiment.Id, "fasttree", t0.AddHours(3), [2.4, 2.1], "0.05");
        var runC = await RunAsync(app, experiment.Id, "lbfgs", t0.AddHours(4), [], "1e-3");

        // Each version from another DAG run: the registry returns the same version for a re-run of one run's task.
        foreach (var (run, at, dagRun) in new[] { (runA, t0.AddHours(5), "run-1"), (runB, t0.AddHours(6), "run-2"), (runC, t0.AddHours(7), "run-3") })
        {
            await store.Models.RegisterVersionAsync(new NewModelVersion(
                "fare", new string('e', 64), """{"inputs":[{"name":"distance","type":"float"}],"output":"fare"}""", trips, run,
                $$"""{"trainer":"x","api_token":"{{ParamSecret}}"}""", """{"rmse":2.5}""", new RunLineage("retrain", dagRun, "register", 2)), at, default);
        }

        await store.Models.SetAliasAsync("fare", "production", 1, "dag:run-1/deploy#1", "first deploy", t0.AddHours(8), default);
        await store.Models.SetAliasAsync("fare", "production", 2, "user:bob", "better rmse", t0.AddHours(9), default);
        foreach (var name in new[] { "a-model", "z-model" })
        {
            await store.Models.RegisterVersionAsync(new NewModelVersion(name, new string('f', 64), "{}", null, null, "{}", "{}", Outside), t0, default);
        }

        await app.Variables.SetAsync("api_key", VariableSecret, default);
        await app.Connections.AddAsync("warehouse", new ConnectionValues("postgres", "db.internal", 5432, "etl", ConnectionPassword, "sales",
            new Dictionary<string, string> { ["token"] = ExtraToken }), default);
        return new MlSeed(trips, other, experiment.Id, runA, runB, runC);
    }

    /// <summary>Trips with a numeric fare and distance and a categorical payment type.</summary>
    private static string Trips(int rows)
    {
        var text = new StringBuilder("distance,payment,fare\n");
        for (var i = 0; i < rows; i++)
        {
            var distance = (i % 40) * 0.5;
            var payment = (i % 10) switch { < 6 => "card", < 9 => "cash", _ => "dispute" };
            text.Append(CultureInfo.InvariantCulture, $"{distance},{payment},{2.5 + (distance * 2.1) + (i % 7 * 0.3)}\n");
        }

        return text.ToString();
    }

    private static async Task<string> IngestAsync(MlApiApp app, string name, string csv, DateTimeOffset at, RunLineage lineage)
    {
        var path = Path.Combine(app.Folder, name + ".csv");
        await File.WriteAllTextAsync(path, csv);
        var result = await DatasetIngestor.IngestAsync(path, new IngestOptions(), default);
        await app.Store.Datasets.RecordAsync(new DatasetVersionRecord(result.Digest, name, path, result.SizeBytes, result.Rows,
            result.Schema.ToJson(), result.Profile.ToJson(), at, lineage), default);
        return result.Digest;
    }

    private static async Task<string> RunAsync(MlApiApp app, string experimentId, string trainer, DateTimeOffset at, double[] rmse, string learningRate)
    {
        var run = await app.Store.Tracking.StartRunAsync(experimentId, trainer, new RunLineage("retrain", "run-1", "train_" + trainer, 1),
            new Dictionary<string, string> { ["trainer"] = trainer, ["learning_rate"] = learningRate, ["api_token"] = ParamSecret },
            new Dictionary<string, string> { ["team"] = "pricing" }, at, default);
        await app.Store.Tracking.LogMetricsAsync(run.RunId, [.. rmse.Select((value, step) => new MetricPoint("rmse", value, step, at.AddMinutes(step)))], default);
        await app.Store.Tracking.LogMetricsAsync(run.RunId, [new MetricPoint("mae", 1.0, 0, at)], default);
        await app.Store.Tracking.EndRunAsync(run.RunId, TrackingRunStatus.Finished, at.AddMinutes(10), default);
        return run.RunId;
    }
}
