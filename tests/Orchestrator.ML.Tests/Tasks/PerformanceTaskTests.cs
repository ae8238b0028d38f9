using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.States;
using Orchestrator.Loading;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;
using Orchestrator.ML.Tasks;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tests.Tasks;

/// <summary>ml.performance end to end on a real SQLite store: a registered regression version (rmse 2 at registration)
/// served and labelled over the last hour. Big errors degrade it (check + one drift event), small ones do not, too few
/// labelled rows give no verdict.</summary>
public sealed class PerformanceTaskTests
{
    private const string Model = MlHome.Model;

    [Fact]
    public async Task WorseThanRegistered_IsDegraded_RecordsACheck_AndEmitsOneDriftEvent()
    {
        await using var home = await HomeAsync();
        await RegisterAsync(home);
        // 40 rows with errors ±4: live rmse 4 against the registered 2 — 100 % worse; maxDrop allows 20 %.
        await ServeAsync(home, rows: 40, error: 4);

        var result = await home.RunAsync(Monitor(home, new { model = Model, metric = "rmse", maxDrop = 0.2 }));

        MlHome.Succeeded(result);
        var output = MlHome.Output<PerformanceOutput>(result, "perf", PerformanceTask.OutputKind);
        Assert.Equal((Model, 1, "rmse", 40, true), (output.Model, output.Version, output.Metric, output.Rows, output.Degraded));
        Assert.Equal(4.0, output.Live!.Value, 9);
        Assert.Equal((2.0, 1.0), (output.Baseline, output.Change));
        Assert.True(output.EventEmitted);

        var check = await home.Store.DriftChecks.GetAsync(output.CheckId!.Value, default);
        Assert.NotNull(check);
        Assert.Equal((DriftCheckKinds.Performance, true, 1.0, 0.2, 40L), (check.Kind, check.Drifted, check.Share, check.ShareThreshold, check.CurrentRows));
        Assert.Equal(["rmse"], check.DriftedFeatures);
        var details = JsonDocument.Parse(check.DetailsJson!).RootElement;
        Assert.Equal((4.0, 2.0), (Math.Round(details.GetProperty("live").GetDouble(), 9), details.GetProperty("baseline").GetDouble()));

        var emitted = Assert.Single((await home.Store.Events.ListAsync(new EventQuery(EventKinds.Drift), default)).Items);
        Assert.Equal((Model, "perf"), (emitted.Subject, emitted.SourceTaskId));
        var payload = JsonDocument.Parse(emitted.Payload).RootElement;
        Assert.Equal(("performance", 1, output.CheckId.Value), (payload.GetProperty("reason").GetString(), payload.GetProperty("version").GetInt32(), payload.GetProperty("checkId").GetInt64()));
        Assert.Equal(["rmse"], payload.GetProperty("driftedFeatures").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task AsGoodAsRegistered_IsHealthy_RecordsACheck_ButNoEvent()
    {
        await using var home = await HomeAsync();
        await RegisterAsync(home);
        await ServeAsync(home, rows: 40, error: 1); // live rmse 1: better than the registered 2
        // Rows of another version, and of this one before the window, do not count.
        await ServeAsync(home, rows: 40, error: 50, version: 2);
        await ServeAsync(home, rows: 40, error: 50, ago: TimeSpan.FromHours(3));

        var result = await home.RunAsync(Monitor(home, new { model = Model, metric = "rmse", maxDrop = 0.2, maxValue = 3.0 }));

        MlHome.Succeeded(result);
        var output = MlHome.Output<PerformanceOutput>(result, "perf", PerformanceTask.OutputKind);
        Assert.Equal((false, 40, false), (output.Degraded, output.Rows, output.EventEmitted));
        Assert.Equal(-0.5, output.Change!.Value, 9);
        var check = await home.Store.DriftChecks.GetAsync(output.CheckId!.Value, default);
        Assert.Equal((false, 0.0), (check!.Drifted, check.Share));
        Assert.Empty(check.DriftedFeatures);
        Assert.Empty((await home.Store.Events.ListAsync(new EventQuery(EventKinds.Drift), default)).Items);
    }

    [Fact]
    public async Task BelowMinValue_IsDegraded_EvenWithoutMaxDrop()
    {
        await using var home = await HomeAsync();
        await RegisterAsync(home);
        await ServeAsync(home, rows: 40, error: 1);

        // labels 10..14 repeating (variance 2), errors ±1 (mean square 1): live r2 = 1 - 1 / 2 = 0.5.
        var result = await home.RunAsync(Monitor(home, new { model = Model, metric = "r2", minValue = 0.6, window = "2h" }));

        var output = MlHome.Output<PerformanceOutput>(result, "perf", PerformanceTask.OutputKind);
        Assert.Equal(0.5, output.Live!.Value, 9);
        Assert.True(output.Degraded);
        Assert.Contains(output.Reasons, reason => reason.Contains("below minValue 0.6", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TooFewLabelledRows_GiveNoVerdict_NoCheck_NoEvent()
    {
        await using var home = await HomeAsync();
        await RegisterAsync(home);
        await ServeAsync(home, rows: 12, error: 40);
        await ServeAsync(home, rows: 30, error: 40, labelled: false); // served but never labelled

        var result = await home.RunAsync(Monitor(home, new { model = Model, metric = "rmse", maxDrop = 0.2 }));

        MlHome.Succeeded(result);
        var output = MlHome.Output<PerformanceOutput>(result, "perf", PerformanceTask.OutputKind);
        Assert.Equal(((bool?)null, (long?)null, 12, false), (output.Degraded, output.CheckId, output.Rows, output.EventEmitted));
        Assert.Contains("only 12 labelled rows; at least 30", output.Reasons[0], StringComparison.Ordinal);
        Assert.Equal(0, (await home.Store.DriftChecks.ListAsync(Model, 0, 10, default)).Total);
        Assert.Empty((await home.Store.Events.ListAsync(new EventQuery(EventKinds.Drift), default)).Items);
    }

    [Fact]
    public async Task BadArgs_FailTheTask_NamingTheField_AndRecordNothing()
    {
        await using var home = await HomeAsync();
        await RegisterAsync(home);
        await ServeAsync(home, rows: 40, error: 4);
        var dag = new DagBuilder("bad_perf");
        dag.Task("unknown", "ml.performance", new { model = Model, metric = "rmse", maxDrop = 0.2, treshold = 1 });
        dag.Task("metric", "ml.performance", new { model = Model, metric = "accuracy", maxDrop = 0.2 });
        dag.Task("limits", "ml.performance", new { model = Model, metric = "rmse" });
        dag.Task("drop", "ml.performance", new { model = Model, metric = "rmse", maxDrop = -1 });
        dag.Task("window", "ml.performance", new { model = Model, metric = "rmse", maxDrop = 0.2, window = "soon" });
        dag.Task("range", "ml.performance", new { model = Model, metric = "rmse", minValue = 3, maxValue = 1 });
        dag.Task("rows", "ml.performance", new { model = Model, metric = "rmse", maxDrop = 0.2, minRows = 0 });
        dag.Task("alias", "ml.performance", new { model = Model, metric = "rmse", maxDrop = 0.2, alias = "staging" });
        dag.Task("baseline", "ml.performance", new { model = Model, metric = "mae", maxDrop = 0.2 });

        var result = await home.RunAsync(home.Build(dag));

        Assert.Contains("treshold", MlHome.Task(result, "unknown").Reason, StringComparison.Ordinal);
        Assert.Contains("args.metric is 'accuracy'; a regression model's live metrics are r2, rmse, mae, mse", MlHome.Task(result, "metric").Reason, StringComparison.Ordinal);
        Assert.Contains("args.maxDrop is missing, and so are minValue and maxValue", MlHome.Task(result, "limits").Reason, StringComparison.Ordinal);
        Assert.Contains("args.maxDrop is -1", MlHome.Task(result, "drop").Reason, StringComparison.Ordinal);
        Assert.Contains("args.window", MlHome.Task(result, "window").Reason, StringComparison.Ordinal);
        Assert.Contains("args.minValue is 3, above maxValue 1", MlHome.Task(result, "range").Reason, StringComparison.Ordinal);
        Assert.Contains("args.minRows", MlHome.Task(result, "rows").Reason, StringComparison.Ordinal);
        Assert.Contains("no 'staging' version", MlHome.Task(result, "alias").Reason, StringComparison.Ordinal);
        Assert.Contains("no registered 'mae'", MlHome.Task(result, "baseline").Reason, StringComparison.Ordinal);
        // nothing deployed under that alias (yet): skipped, not failed; everything else is an error
        Assert.All(result.Tasks, task => Assert.Equal(task.TaskId.Value == "alias" ? TaskInstanceState.Skipped : TaskInstanceState.Failed, task.State));
        Assert.Equal(0, (await home.Store.DriftChecks.ListAsync(Model, 0, 10, default)).Total);
        Assert.Empty((await home.Store.Events.ListAsync(new EventQuery(EventKinds.Drift), default)).Items);
    }

    private static Task<MlHome> HomeAsync() => MlHome.CreateAsync(sampleRows: 0);

    private static LoadedDag Monitor(MlHome home, object args)
    {
        var dag = new DagBuilder("monitor");
        dag.Task("perf", "ml.performance", args);
        return home.Build(dag);
    }

    /// <summary>Two versions of a regression model, registered as ml.register would with ml.evaluate's metrics (rmse 2,
    /// r2 0.8); version 1 is production.</summary>
    private static async Task RegisterAsync(MlHome home)
    {
        var signature = ModelSignatureJson.ToJson(new ModelSignature(MlTask.Regression, "fare", [new DatasetColumn("distance", ColumnKind.Numeric)]));
        var lineage = new RunLineage("train", "run-1", "register", 1);
        var at = home.Time.GetUtcNow().AddDays(-1);
        foreach (var version in new[] { 1, 2 })
        {
            await home.Store.Models.RegisterVersionAsync(new NewModelVersion(Model, new string((char)('a' + version), 64), signature, null, null, "{}",
                """{"rmse":2.0,"r2":0.8}""", lineage with { RunId = $"run-{version}" }), at, default);
        }

        await home.Store.Models.SetAliasAsync(Model, "production", 1, "user:test", null, at, default);
    }

    /// <summary>Rows served in the half hour before now (or <paramref name="ago"/>) with labels 10, 11, …, 14 repeating
    /// and predictions off by +error, -error alternately, labelled as feedback would.</summary>
    private static async Task ServeAsync(MlHome home, int rows, double error, int version = 1, TimeSpan? ago = null, bool labelled = true)
    {
        var start = home.Time.GetUtcNow() - (ago ?? TimeSpan.FromMinutes(30));
        var records = new List<InferenceRecord>();
        var labels = new List<InferenceLabel>();
        for (var i = 0; i < rows; i++)
        {
            // Serving's ids: a UUIDv7 of the row's time (labels find their row by it).
            var id = Guid.CreateVersion7(start.AddSeconds(i)).ToString("N");
            var label = 10 + (i % 5);
            var prediction = label + (i % 2 == 0 ? error : -error);
            records.Add(new InferenceRecord(id, 0, Model, version, start.AddSeconds(i), """{"distance":1}""", prediction.ToString(CultureInfo.InvariantCulture)));
            labels.Add(new InferenceLabel(id, 0, label.ToString(CultureInfo.InvariantCulture)));
        }

        await home.Store.Inference.AppendAsync(records, default);
        if (labelled)
            Assert.Empty(await home.Store.Inference.LabelAsync(Model, labels, home.Time.GetUtcNow(), default));
    }
}
