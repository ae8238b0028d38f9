using System.Globalization;

namespace Orchestrator.Web.BrowserTests.Infrastructure;

/// <summary>The small DAG files the dashboard is tested on, written into a temporary dags folder.</summary>
internal static class TestDags
{
    /// <summary>Succeeds in a few seconds: one task fans out to three that run side by side, then a join.</summary>
    public const string FanOut = "fan_out";

    /// <summary>Its <c>flaky</c> task fails its first try (leaving a marker file) and succeeds on any later one.</summary>
    public const string Flaky = "flaky_once";

    /// <summary>Only ever paused by a test, so pausing it cannot stall the other tests' runs.</summary>
    public const string Pausable = "pause_me";

    /// <summary>ingest → train → register on a small sample of the taxi-fare data: one model version per run.</summary>
    public const string Retrain = "tiny_retrain";

    public const string Model = "tiny_fare";

    public const string BrokenFile = "broken_dag.json";

    /// <summary>One shell task that prints a line every half second for about eight seconds: its log grows live.</summary>
    public const string Chatty = "chatty";

    public const int ChattyLines = 16;

    /// <summary>Its file is written twice (<see cref="WriteVersioned"/>), with a run of each version.</summary>
    public const string Versioned = "versioned";

    /// <summary>Its <c>boom</c> task always fails, so <c>after</c> never runs unless boom is marked success.</summary>
    public const string AlwaysFails = "always_fails";

    /// <summary>Checks <see cref="Model"/> for drift twice against its <see cref="MonitoredAlias"/> version: a slice like
    /// the reference (<c>quiet</c>) and a shifted one (<c>loud</c>: drifts, emits a drift event).</summary>
    public const string DriftWatch = "drift_watch";

    /// <summary>The alias the drift checks compare against (the fixture points it at version 1).</summary>
    public const string MonitoredAlias = "monitored";

    /// <summary>Triggered by a drift event on <see cref="Model"/>: its runs are event runs, and each records a notify
    /// alert (no webhook) saying <see cref="OnDriftMessage"/>.</summary>
    public const string OnDrift = "retrain_on_drift";

    public const string OnDriftMessage = "Retrained after drift";

    public static readonly string[] FanOutTasks = ["start", "left", "middle", "right", "join"];

    public static void Write(string dags, string work, string sampleCsv)
    {
        File.WriteAllText(Path.Combine(dags, "fan_out.json"), $$$"""
            {
              "id": "{{{FanOut}}}",
              "description": "Fans out to three parallel tasks and joins them.",
              "schedule": null,
              "params": { "who": "browser", "rows": 3 },
              "tasks": [
                { "id": "start", "type": "shell", "args": { "command": "echo starting for {{ params.who }}" } },
                { "id": "left", "type": "shell", "dependsOn": ["start"], "args": { "command": "sleep 1; echo '{\"side\": \"left\"}'" } },
                { "id": "middle", "type": "shell", "dependsOn": ["start"], "args": { "command": "sleep 1; echo middle" } },
                { "id": "right", "type": "shell", "dependsOn": ["start"], "args": { "command": "sleep 1; echo right" } },
                { "id": "join", "type": "shell", "dependsOn": ["left", "middle", "right"], "args": { "command": "echo joined {{ params.rows }} rows" } }
              ]
            }
            """);

        var marker = Path.Combine(work, "flaky.marker");
        File.WriteAllText(Path.Combine(dags, "flaky_once.json"), $$$"""
            {
              "id": "{{{Flaky}}}",
              "description": "Fails once, then works after a clear.",
              "schedule": null,
              "tasks": [
                { "id": "prepare", "type": "shell", "args": { "command": "echo prepared" } },
                { "id": "flaky", "type": "shell", "dependsOn": ["prepare"], "retries": 0,
                  "args": { "command": "if [ -f '{{{marker}}}' ]; then echo 'second time lucky'; else touch '{{{marker}}}'; echo 'upstream service unavailable (first try fails on purpose)' >&2; exit 1; fi" } },
                { "id": "after", "type": "shell", "dependsOn": ["flaky"], "args": { "command": "echo after" } }
              ]
            }
            """);

        File.WriteAllText(Path.Combine(dags, "pause_me.json"), $$$"""
            { "id": "{{{Pausable}}}", "schedule": null, "tasks": [ { "id": "noop", "type": "empty" } ] }
            """);

        File.WriteAllText(Path.Combine(dags, "tiny_retrain.json"), $$$"""
            {
              "id": "{{{Retrain}}}",
              "schedule": null,
              "params": { "seed": 1 },
              "tasks": [
                { "id": "ingest", "type": "ml.ingest", "args": { "path": "{{{sampleCsv}}}", "name": "taxi-sample" } },
                { "id": "train", "type": "ml.train", "dependsOn": ["ingest"],
                  "args": { "task": "regression", "label": "fare_amount", "trainer": "fastTree",
                            "categorical": ["vendor_id", "rate_code", "payment_type"],
                            "hyperparameters": { "numberOfTrees": 5, "numberOfLeaves": 4 }, "holdout": 0.2, "seed": "{{ params.seed }}" } },
                { "id": "register", "type": "ml.register", "dependsOn": ["train"], "args": { "model": "{{{Model}}}" } }
              ]
            }
            """);

        File.WriteAllText(Path.Combine(dags, "chatty.json"), $$$"""
            {
              "id": "{{{Chatty}}}",
              "schedule": null,
              "tasks": [
                { "id": "talk", "type": "shell", "args": { "command": "for i in $(seq 1 {{{ChattyLines}}}); do echo \"chatty line $i\"; sleep 0.5; done" } }
              ]
            }
            """);

        File.WriteAllText(Path.Combine(dags, "always_fails.json"), $$$"""
            {
              "id": "{{{AlwaysFails}}}",
              "schedule": null,
              "tasks": [
                { "id": "boom", "type": "shell", "retries": 0, "args": { "command": "echo 'boom fails on purpose' >&2; exit 3" } },
                { "id": "after", "type": "shell", "dependsOn": ["boom"], "args": { "command": "echo after boom" } }
              ]
            }
            """);

        WriteDriftSlices(work);
        File.WriteAllText(Path.Combine(dags, "drift_watch.json"), $$$"""
            {
              "id": "{{{DriftWatch}}}",
              "schedule": null,
              "tasks": [
                { "id": "reference", "type": "ml.ingest", "args": { "path": "{{{Path.Combine(work, "reference.csv")}}}", "name": "drift-reference" } },
                { "id": "same", "type": "ml.ingest", "args": { "path": "{{{Path.Combine(work, "unchanged.csv")}}}", "name": "drift-unchanged" } },
                { "id": "moved", "type": "ml.ingest", "args": { "path": "{{{Path.Combine(work, "shifted.csv")}}}", "name": "drift-shifted" } },
                { "id": "quiet", "type": "ml.drift", "dependsOn": ["reference", "same"],
                  "args": { "model": "{{{Model}}}", "alias": "{{{MonitoredAlias}}}", "reference": "reference", "dataset": "same" } },
                { "id": "loud", "type": "ml.drift", "dependsOn": ["reference", "moved"],
                  "args": { "model": "{{{Model}}}", "alias": "{{{MonitoredAlias}}}", "reference": "reference", "dataset": "moved" } }
              ]
            }
            """);

        File.WriteAllText(Path.Combine(dags, "retrain_on_drift.json"), $$$"""
            {
              "id": "{{{OnDrift}}}",
              "schedule": null,
              "triggers": [ { "event": "drift", "model": "{{{Model}}}" } ],
              "tasks": [
                { "id": "retrain", "type": "shell", "args": { "command": "echo retraining after drift" } },
                { "id": "tell", "type": "notify", "dependsOn": ["retrain"], "args": { "message": "{{{OnDriftMessage}}}", "severity": "warning" } }
              ]
            }
            """);

        // A missing comma and an unclosed object: the DAGs page must name this file in its import-error banner.
        File.WriteAllText(Path.Combine(dags, BrokenFile), """
            { "id": "broken_dag" "tasks": [
            """);
    }

    /// <summary>Writes version <paramref name="version"/> of <see cref="Versioned"/>: its only task echoes the version.</summary>
    public static void WriteVersioned(string dags, int version) =>
        File.WriteAllText(Path.Combine(dags, "versioned.json"), $$$"""
            {
              "id": "{{{Versioned}}}",
              "schedule": null,
              "tasks": [ { "id": "hello", "type": "shell", "args": { "command": "echo this is version {{{version}}}" } } ]
            }
            """);

    /// <summary>Of the first 2,000 rows of the taxi training file (sorted by vendor, so slices interleave): the odd rows as
    /// the reference, the even rows unchanged, and the even rows with longer trips (time and distance × 1.6) paid more
    /// in cash, which drifts three of the model's six inputs (as in the ML project's DriftTaskTests).</summary>
    private static void WriteDriftSlices(string work)
    {
        var lines = File.ReadLines(FindRepoFile(Path.Combine("dags", "data", "taxi-fare", "taxi-fare-train.csv"))).Take(2001).ToArray();
        var odd = lines.Skip(1).Where((_, i) => i % 2 == 1);
        var even = lines.Skip(1).Where((_, i) => i % 2 == 0).ToArray();
        File.WriteAllLines(Path.Combine(work, "reference.csv"), odd.Prepend(lines[0]));
        File.WriteAllLines(Path.Combine(work, "unchanged.csv"), even.Prepend(lines[0]));
        File.WriteAllLines(Path.Combine(work, "shifted.csv"), even.Select(Shift).Prepend(lines[0]));

        static string Shift(string line, int i)
        {
            var f = line.Split(',');
            f[3] = (double.Parse(f[3], CultureInfo.InvariantCulture) * 1.6).ToString(CultureInfo.InvariantCulture);
            f[4] = (double.Parse(f[4], CultureInfo.InvariantCulture) * 1.6).ToString(CultureInfo.InvariantCulture);
            if (i % 2 == 0)
            {
                f[5] = "CSH";
            }

            return string.Join(',', f);
        }
    }

    /// <summary>The first <paramref name="rows"/> data rows of the repository's taxi-fare training file.</summary>
    public static void WriteSample(string target, int rows)
    {
        var source = FindRepoFile(Path.Combine("dags", "data", "taxi-fare", "taxi-fare-train.csv"));
        File.WriteAllLines(target, File.ReadLines(source).Take(rows + 1));
    }

    private static string FindRepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }
}
