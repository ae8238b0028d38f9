using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Orchestrator.Cli.Tests.Loop;

/// <summary>The whole MLOps loop in a real <c>standalone</c>, as a user runs it: two models in production, drifted
/// traffic served and logged, a monitor DAG detects drift on both, each drift event starts its model's retraining DAG;
/// one gate blesses the new candidate, which is then served, the other turns it down, which leaves production as it was
/// and alerts a webhook.</summary>
public sealed class RetrainingLoopTests : IAsyncLifetime
{
    private static readonly string[] Features = ["vendor_id", "rate_code", "passenger_count", "trip_time_in_secs", "trip_distance", "payment_type"];
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-loop-").FullName;
    private readonly HttpListener _webhook = new();
    private readonly List<string> _webhookBodies = [];
    private Process? _standalone;

    public Task InitializeAsync() => Task.CompletedTask;

    // xUnit 2 calls IAsyncLifetime, not IAsyncDisposable: the standalone process must not outlive the test.
    public async Task DisposeAsync()
    {
        await StandaloneProcess.KillAllAsync(_standalone);
        _webhook.Close();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Drift_TriggersRetraining_ThenTheGateDeploysOrAlerts()
    {
        var hook = StartWebhook();
        var dags = WriteDags(hook);
        var port = StandaloneProcess.FreePort();
        _standalone = StandaloneProcess.Start(dags, Path.Combine(_root, "home"), port);
        var log = StandaloneProcess.Capture(_standalone);
        await StandaloneProcess.WaitHealthyAsync(port, log);
        // signed in automatically on loopback, as a script is: changes need the antiforgery token (and its cookie)
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var csrf = await GetJsonAsync(http, "/api/v1/csrf");
        http.DefaultRequestHeaders.Add(csrf.GetProperty("headerName").GetString()!, csrf.GetProperty("token").GetString());

        // Version 1 of each model in production (the strict one's first gate is lowered through conf).
        var first = await Task.WhenAll(TriggerAsync(http, "retrain_ok", "{}"), TriggerAsync(http, "retrain_strict", """{"minR2": -100}"""));
        foreach (var run in first)
        {
            Assert.Equal("success", await FinishedAsync(http, run, log));
        }

        Assert.Equal("1", await ServedVersionAsync(http, "fare_ok"));
        Assert.Equal("1", await ServedVersionAsync(http, "fare_strict"));

        // Drifted traffic: longer trips, paid cash.
        foreach (var model in new[] { "fare_ok", "fare_strict" })
        {
            foreach (var batch in DriftedBatches(rows: 400, size: 50))
            {
                var answer = await http.PostAsync(new Uri($"/models/{model}/invocations", UriKind.Relative), new StringContent(batch, Encoding.UTF8, "application/json"));
                Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // the inference log is written off the request path
        var monitor = await TriggerAsync(http, "monitor", "{}");
        Assert.Equal("success", await FinishedAsync(http, monitor, log));

        var events = (await GetJsonAsync(http, "/api/v1/events?kind=drift")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["fare_ok", "fare_strict"], events.Select(e => e.GetProperty("subject").GetString()).Order());
        Assert.All(events, e => Assert.Equal(monitor, e.GetProperty("source").GetProperty("runId").GetString()));

        // Each event started its model's retraining, once.
        var retrainOk = await TriggeredRunAsync(http, events.Single(e => e.GetProperty("subject").GetString() == "fare_ok"), "retrain_ok");
        var retrainStrict = await TriggeredRunAsync(http, events.Single(e => e.GetProperty("subject").GetString() == "fare_strict"), "retrain_strict");
        Assert.Equal("success", await FinishedAsync(http, retrainOk, log));
        Assert.Equal("success", await FinishedAsync(http, retrainStrict, log)); // a rejected candidate is skipped, not failed
        var okRun = await GetJsonAsync(http, $"/api/v1/runs/{retrainOk}");
        Assert.Equal(("event", "drift"), (okRun.GetProperty("runType").GetString(), okRun.GetProperty("event").GetProperty("kind").GetString()));
        Assert.Equal("fare_ok", okRun.GetProperty("conf").GetProperty("model").GetString()); // the payload is the conf

        // Blessed: version 2 answers. Rejected: production unchanged, the gate's alert went to the webhook.
        Assert.Equal("2", await ServedVersionAsync(http, "fare_ok", waitFor: "2"));
        Assert.Equal("1", await ServedVersionAsync(http, "fare_strict"));
        var strictTasks = (await GetJsonAsync(http, $"/api/v1/runs/{retrainStrict}")).GetProperty("taskInstances").EnumerateArray()
            .ToDictionary(t => t.GetProperty("taskId").GetString()!, t => t.GetProperty("state").GetString());
        Assert.Equal(("skipped", "skipped", "skipped"), (strictTasks["gate"], strictTasks["register"], strictTasks["deploy"]));

        var rejected = await StandaloneProcess.EventuallyAsync(async () =>
        {
            var alerts = (await GetJsonAsync(http, "/api/v1/alerts?dagId=retrain_strict")).GetProperty("items").EnumerateArray();
            return alerts.FirstOrDefault(a => a.GetProperty("kind").GetString() == "gateRejected" && a.GetProperty("state").GetString() == "sent") is { ValueKind: JsonValueKind.Object } sent
                ? sent.GetRawText() : null;
        }, seconds: 30);
        using var alert = JsonDocument.Parse(rejected);
        Assert.Equal(retrainStrict, alert.RootElement.GetProperty("runId").GetString());
        lock (_webhookBodies)
        {
            Assert.Contains(_webhookBodies, body => body.Contains("gateRejected", StringComparison.Ordinal) && body.Contains(retrainStrict, StringComparison.Ordinal));
        }

        Assert.DoesNotContain((await GetJsonAsync(http, "/api/v1/alerts?dagId=retrain_ok")).GetProperty("items").EnumerateArray(),
            a => a.GetProperty("kind").GetString() == "gateRejected");
    }

    private string WriteDags(string hook)
    {
        var dags = Directory.CreateDirectory(Path.Combine(_root, "dags")).FullName;
        Directory.CreateDirectory(Path.Combine(dags, "data"));
        // Every 30th row of the training file (it is sorted by vendor): 3,300 rows of every kind of trip.
        var lines = File.ReadLines(Path.Combine(CliRunner.RepoDags, "data", "taxi-fare", "taxi-fare-train.csv")).ToList();
        File.WriteAllLines(Path.Combine(dags, "data", "fares.csv"), [lines[0], .. lines.Skip(1).Where((_, i) => i % 30 == 0)]);
        File.WriteAllText(Path.Combine(dags, "retrain_ok.json"), Retrain("retrain_ok", "fare_ok", minR2: -100, hook));
        File.WriteAllText(Path.Combine(dags, "retrain_strict.json"), Retrain("retrain_strict", "fare_strict", minR2: 0.99999, hook));
        File.WriteAllText(Path.Combine(dags, "monitor.json"), """
            {"id": "monitor", "callbacks": {"onDrift": {"severity": "info"}}, "tasks": [
              {"id": "drift_ok", "type": "ml.drift", "args": {"model": "fare_ok", "window": "1h", "minRows": 100}},
              {"id": "drift_strict", "type": "ml.drift", "args": {"model": "fare_strict", "window": "1h", "minRows": 100}}]}
            """);
        return dags;
    }

    private static string Retrain(string id, string model, double minR2, string hook) => $$$"""
        {"id": "{{{id}}}", "params": {"minR2": {{{minR2.ToString(CultureInfo.InvariantCulture)}}}},
         "triggers": [{"event": "drift", "model": "{{{model}}}"}],
         "callbacks": {"onGateRejected": {"url": "{{{hook}}}", "severity": "critical"}},
         "tasks": [
          {"id": "ingest", "type": "ml.ingest", "args": {"path": "data/fares.csv"}},
          {"id": "train", "type": "ml.train", "dependsOn": ["ingest"], "args": {"task": "regression", "label": "fare_amount",
            "categorical": ["vendor_id", "rate_code", "payment_type"], "hyperparameters": {"numberOfTrees": 10}, "holdout": 0.2, "seed": 1}},
          {"id": "evaluate", "type": "ml.evaluate", "dependsOn": ["train"], "args": {"model": "{{{model}}}", "metric": "r2"}},
          {"id": "gate", "type": "ml.gate", "dependsOn": ["evaluate"], "args": {"metric": "r2", "min": "{{ params.minR2 }}"}},
          {"id": "register", "type": "ml.register", "dependsOn": ["gate"], "args": {"model": "{{{model}}}"}},
          {"id": "deploy", "type": "ml.deploy", "dependsOn": ["register"], "args": {"model": "{{{model}}}"}}]}
        """;

    private static IEnumerable<string> DriftedBatches(int rows, int size)
    {
        var lines = File.ReadLines(Path.Combine(CliRunner.RepoDags, "data", "taxi-fare", "taxi-fare-test.csv")).ToList();
        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        var picked = lines.Skip(1).Where((_, i) => i % 97 == 0).Take(rows).Select(line => line.Split(',')).ToList();
        foreach (var chunk in picked.Chunk(size))
        {
            var data = chunk.Select(v => new object[]
            {
                v[Column("vendor_id")], v[Column("rate_code")], double.Parse(v[Column("passenger_count")], CultureInfo.InvariantCulture),
                double.Parse(v[Column("trip_time_in_secs")], CultureInfo.InvariantCulture) * 4,
                double.Parse(v[Column("trip_distance")], CultureInfo.InvariantCulture) * 4, "CSH",
            });
            yield return JsonSerializer.Serialize(new { dataframe_split = new { columns = Features, data } });
        }
    }

    private static async Task<string> TriggerAsync(HttpClient http, string dag, string conf)
    {
        var answer = await http.PostAsync(new Uri($"/api/v1/dags/{dag}/runs", UriKind.Relative),
            new StringContent($$"""{"conf": {{conf}}}""", Encoding.UTF8, "application/json"));
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.Created, $"trigger {dag}: {(int)answer.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("runId").GetString()!;
    }

    private static async Task<string> FinishedAsync(HttpClient http, string runId, StringBuilder log)
    {
        try
        {
            return await StandaloneProcess.EventuallyAsync(async () =>
            {
                var state = (await GetJsonAsync(http, $"/api/v1/runs/{runId}")).GetProperty("state").GetString();
                return state is "success" or "failed" ? state : null;
            }, seconds: 120);
        }
        catch (TimeoutException)
        {
            lock (log)
            {
                throw new TimeoutException($"run {runId} did not finish:\n{log}");
            }
        }
    }

    private static async Task<string> TriggeredRunAsync(HttpClient http, JsonElement driftEvent, string dagId) =>
        await StandaloneProcess.EventuallyAsync(async () =>
        {
            var runs = (await GetJsonAsync(http, $"/api/v1/events/{driftEvent.GetProperty("id").GetInt64()}")).GetProperty("triggeredRuns").EnumerateArray().ToList();
            return runs.Count == 0 ? null : Assert.Single(runs, r => r.GetProperty("dagId").GetString() == dagId).GetProperty("runId").GetString();
        }, seconds: 30);

    /// <summary>The version that answers a prediction (the <c>X-Model-Version</c> header), once it is <paramref name="waitFor"/>
    /// when given (the server refreshes aliases in the background).</summary>
    private static async Task<string> ServedVersionAsync(HttpClient http, string model, string? waitFor = null) =>
        await StandaloneProcess.EventuallyAsync(async () =>
        {
            var answer = await http.PostAsync(new Uri($"/models/{model}/invocations", UriKind.Relative),
                new StringContent(DriftedBatches(1, 1).First(), Encoding.UTF8, "application/json"));
            var version = answer.IsSuccessStatusCode && answer.Headers.TryGetValues("X-Model-Version", out var values) ? values.Single() : null;
            return waitFor is null || version == waitFor ? version : null;
        }, seconds: 30);

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        var answer = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(answer.IsSuccessStatusCode, $"{path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        return await answer.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A webhook receiver on loopback that keeps every body it gets.</summary>
    private string StartWebhook()
    {
        var port = StandaloneProcess.FreePort();
        var prefix = $"http://127.0.0.1:{port}/hook/";
        _webhook.Prefixes.Add(prefix);
        _webhook.Start();
        _ = Task.Run(async () =>
        {
            while (_webhook.IsListening)
            {
                try
                {
                    var context = await _webhook.GetContextAsync();
                    using (var reader = new StreamReader(context.Request.InputStream))
                    {
                        var body = await reader.ReadToEndAsync();
                        lock (_webhookBodies)
                        {
                            _webhookBodies.Add(body);
                        }
                    }

                    context.Response.StatusCode = 204;
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });
        return prefix;
    }
}
