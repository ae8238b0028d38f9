using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.States;
using Orchestrator.Execution.Hosting;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Drift;
using Orchestrator.ML.Tasks;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tests.Tasks;

/// <summary>ml.drift end to end on the repository's taxi-fare data: a shifted copy drifts and names its shifted columns,
/// an unchanged slice does not; the report artifact and the recorded check say the same; the drift event is emitted
/// with one dedupe key however often the task runs.</summary>
public sealed class DriftTaskTests
{
    private const string Reference = "data/taxi-fare/reference.csv";
    private const string Unchanged = "data/taxi-fare/unchanged.csv";
    private const string Shifted = "data/taxi-fare/shifted.csv";

    [Fact]
    public async Task ShiftedCopy_Drifts_NamingTheShiftedColumns_UnchangedSliceDoesNot()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 0);
        WriteSlices(home);
        var dag = new DagBuilder("drift_check");
        var reference = dag.Task("reference", "ml.ingest", new { path = Reference });
        var same = dag.Task("same", "ml.ingest", new { path = Unchanged });
        var moved = dag.Task("moved", "ml.ingest", new { path = Shifted });
        dag.Task("quiet", "ml.drift", new { reference = "reference", dataset = "same", label = "fare_amount" }).DependsOn(reference, same);
        dag.Task("loud", "ml.drift", new { reference = "reference", dataset = "moved", label = "fare_amount" }).DependsOn(reference, moved);

        var result = await home.RunAsync(home.Build(dag));

        MlHome.Succeeded(result);
        var quiet = MlHome.Output<DriftOutput>(result, "quiet", DriftTask.OutputKind);
        Assert.False(quiet.Drifted);
        Assert.True(quiet.DriftedFeatures.Count == 0, string.Join("; ", quiet.Report.Features.Select(f => $"{f.Name} {f.Test} {f.Score}")));
        var loud = MlHome.Output<DriftOutput>(result, "loud", DriftTask.OutputKind);
        Assert.True(loud.Drifted);
        Assert.Equal(["trip_time_in_secs", "trip_distance", "payment_type"], loud.DriftedFeatures);
        Assert.Equal(0.5, loud.Share);
        Assert.Equal(6, loud.Report.TestedFeatures); // every column but the label

        // The report artifact holds every feature's test, score, threshold, verdict and the histograms behind it.
        await using var stream = await home.Artifacts.OpenReadAsync(loud.Report.Artifact, default);
        var report = DriftReport.FromJson(await new StreamReader(stream).ReadToEndAsync());
        Assert.Equal(["vendor_id", "rate_code", "passenger_count", "trip_time_in_secs", "trip_distance", "payment_type"], report.Features.Select(f => f.Name));
        var distance = report.Features.Single(f => f.Name == "trip_distance");
        Assert.Equal(("wasserstein", 0.1, true), (distance.Test, distance.Threshold, distance.Drifted));
        Assert.True(distance.Distance >= 0.1);
        Assert.Equal(distance.Histogram!.Edges!.Length - 1, distance.Histogram.Current.Length);
        var payment = report.Features.Single(f => f.Name == "payment_type");
        Assert.Equal("jensenshannon", payment.Test);
        Assert.Contains("CSH", payment.Histogram!.Labels!);
        Assert.Equal(("dataset", 3000L), (report.Reference.Source, report.Reference.Rows));

        // Without a model there is no drift listing to show it in, but the check is recorded with its report.
        var check = await home.Store.DriftChecks.GetAsync(loud.CheckId, default);
        Assert.NotNull(check);
        Assert.Equal((true, 0.5, loud.Report.Artifact, 3000L, 3000L), (check.Drifted, check.Share, check.ReportDigest, check.ReferenceRows, check.CurrentRows));
        Assert.False(loud.EventEmitted); // no model: no event
    }

    [Fact]
    public async Task AgainstTheProductionModel_UsesItsInputsAndTrainingData_AndEmitsOneDriftEvent_WhenRunTwice()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 0, configure: services => services
            .AddOrchestratorTaskType("test.drift_twice", provider => new RunsTwice(ActivatorUtilities.CreateInstance<DriftTask>(provider))));
        WriteSlices(home);
        var train = new DagBuilder("train");
        var ingest = train.Task("ingest", "ml.ingest", new { path = Reference });
        var model = train.Task("train", "ml.train", new { task = "regression", label = "fare_amount", holdout = 0, hyperparameters = new { numberOfTrees = 5 } }).DependsOn(ingest);
        var register = train.Task("register", "ml.register", new { model = MlHome.Model }).DependsOn(model);
        train.Task("deploy", "ml.deploy", new { model = MlHome.Model }).DependsOn(register);
        MlHome.Succeeded(await home.RunAsync(home.Build(train)));

        var monitor = new DagBuilder("monitor");
        var moved = monitor.Task("moved", "ml.ingest", new { path = Shifted });
        monitor.Task("drift", "test.drift_twice", new { model = MlHome.Model }).DependsOn(moved);
        var result = await home.RunAsync(home.Build(monitor));

        MlHome.Succeeded(result);
        var output = MlHome.Output<DriftOutput>(result, "drift", DriftTask.OutputKind);
        Assert.Equal((MlHome.Model, (int?)1, true), (output.Model, output.Version, output.Drifted));
        Assert.DoesNotContain("fare_amount", output.Report.Features.Select(f => f.Name));
        Assert.True(output.EventEmitted);

        // Two executions of the same task: the same dedupe key twice, one event and one check kept.
        var emitted = Assert.Single((await home.Store.Events.ListAsync(new EventQuery(EventKinds.Drift), default)).Items);
        Assert.Equal((EventKinds.Drift, MlHome.Model, "drift"), (emitted.Kind, emitted.Subject, emitted.SourceTaskId));
        var payload = JsonDocument.Parse(emitted.Payload).RootElement;
        Assert.Equal("data", payload.GetProperty("reason").GetString());
        Assert.Equal(1, payload.GetProperty("version").GetInt32());
        Assert.Equal(output.CheckId, payload.GetProperty("checkId").GetInt64());
        Assert.Equal(output.DriftedFeatures, payload.GetProperty("driftedFeatures").EnumerateArray().Select(e => e.GetString()));
        var (checks, total) = await home.Store.DriftChecks.ListAsync(MlHome.Model, 0, 10, default);
        Assert.Equal(1, total);
        Assert.Equal(("training", DriftCheckKinds.Data), ((await ReportAsync(home, checks[0].ReportDigest!)).Reference.Source, checks[0].Kind));

        // No serving traffic in the window: no verdict (skipped), and no "no drift" check to chart.
        var quiet = new DagBuilder("quiet");
        quiet.Task("drift", "ml.drift", new { model = MlHome.Model, window = "1h" });
        var none = await home.RunAsync(home.Build(quiet));
        Assert.Equal(TaskInstanceState.Skipped, MlHome.Task(none, "drift").State);
        Assert.Contains("no feature had enough values to test", MlHome.Task(none, "drift").Reason, StringComparison.Ordinal);
        Assert.Equal(1, (await home.Store.DriftChecks.ListAsync(MlHome.Model, 0, 10, default)).Total);
    }

    [Fact]
    public async Task BadArgs_FailTheTask_NamingTheField()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 0);
        WriteSlices(home);
        var dag = new DagBuilder("bad_drift");
        var reference = dag.Task("reference", "ml.ingest", new { path = Reference });
        dag.Task("share", "ml.drift", new { reference = "reference", dataset = "reference", shareThreshold = 1.5 }).DependsOn(reference);
        dag.Task("window", "ml.drift", new { reference = "reference", window = "soon" }).DependsOn(reference);
        dag.Task("columns", "ml.drift", new { reference = "reference", dataset = "reference", columns = new[] { "nope" } }).DependsOn(reference);
        dag.Task("nomodel", "ml.drift", new { model = "absent" }).DependsOn(reference);

        var result = await home.RunAsync(home.Build(dag));

        Assert.Contains("args.shareThreshold", MlHome.Task(result, "share").Reason, StringComparison.Ordinal);
        Assert.Contains("args.window", MlHome.Task(result, "window").Reason, StringComparison.Ordinal);
        Assert.Contains("args.columns names 'nope'", MlHome.Task(result, "columns").Reason, StringComparison.Ordinal);
        Assert.Contains("model 'absent' is not registered (no model is yet): nothing to compare with", MlHome.Task(result, "nomodel").Reason, StringComparison.Ordinal);
        Assert.All(new[] { "share", "window", "columns" }, id => Assert.Equal(TaskInstanceState.Failed, MlHome.Task(result, id).State));
        Assert.Equal(TaskInstanceState.Skipped, MlHome.Task(result, "nomodel").State); // nothing deployed yet: nothing to compare
        Assert.Equal(0, (await home.Store.DriftChecks.ListAsync("absent", 0, 10, default)).Total);
    }

    private static async Task<DriftReport> ReportAsync(MlHome home, string digest)
    {
        await using var stream = await home.Artifacts.OpenReadAsync(digest, default);
        return DriftReport.FromJson(await new StreamReader(stream).ReadToEndAsync());
    }

    /// <summary>Of the first 6,000 rows of the taxi training file (sorted by vendor, so slices are interleaved): the odd
    /// rows as the reference, the even rows unchanged, and the even rows with longer trips (time and distance × 1.6)
    /// paid more in cash.</summary>
    private static void WriteSlices(MlHome home)
    {
        var lines = File.ReadLines(MlHome.RepositoryFile("dags/data/taxi-fare/taxi-fare-train.csv")).Take(6001).ToArray();
        var odd = lines.Skip(1).Where((_, i) => i % 2 == 1).ToArray();
        var even = lines.Skip(1).Where((_, i) => i % 2 == 0).ToArray();
        home.WriteFile(Reference, string.Join('\n', odd.Prepend(lines[0])));
        home.WriteFile(Unchanged, string.Join('\n', even.Prepend(lines[0])));
        home.WriteFile(Shifted, string.Join('\n', even.Select(Shift).Prepend(lines[0])));

        static string Shift(string line, int i)
        {
            var f = line.Split(',');
            f[3] = (double.Parse(f[3], CultureInfo.InvariantCulture) * 1.6).ToString(CultureInfo.InvariantCulture);
            f[4] = (double.Parse(f[4], CultureInfo.InvariantCulture) * 1.6).ToString(CultureInfo.InvariantCulture);
            if (i % 2 == 0)
                f[5] = "CSH";
            return string.Join(',', f);
        }
    }

    /// <summary>Runs the real ml.drift twice with the same context, as a retried try of the same task would.</summary>
    private sealed class RunsTwice(DriftTask drift) : ITaskExecutor
    {
        public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            await drift.ExecuteAsync(context, cancellationToken);
            return await drift.ExecuteAsync(context, cancellationToken);
        }
    }
}
