// Daily retraining of the taxi-fare model, as a C# DAG: the same lifecycle as taxi_fare_retrain.json, but scored on a
// separate test file rather than on a holdout, with a random forest against a boosted-trees candidate, and a C# task
// class of its own that reports what the run deployed.
// Try it: dotnet run --project src/Orchestrator.Cli -- dags test taxi_fare_retrain_csharp
// then, with `standalone` running: curl -X POST localhost:8080/models/taxi_fare_csharp/invocations ...
using System.Globalization;
using System.Text.Json;

namespace Orchestrator.Examples;

public sealed class TaxiFareRetrainDag : IDagDefinition
{
    public void Define(DagBuilder dag)
    {
        dag.Id("taxi_fare_retrain_csharp")
            .Description("Retrain the taxi-fare model daily on the training file, score it on the test file, deploy it when it beats production.")
            .Schedule("0 4 * * *")
            .Start("2026-01-01")
            .Tag("example")
            .Tag("ml")
            .Param("model", "taxi_fare_csharp")
            .Param("minR2", 0.7)
            .WithDefaults(task =>
            {
                task.Retries = 1;
                task.RetryDelay = TimeSpan.FromSeconds(10);
            });

        var categorical = new[] { "vendor_id", "rate_code", "payment_type" };
        var train = dag.Task("ingest_train", "ml.ingest", new { path = "data/taxi-fare/taxi-fare-train.csv", name = "taxi-fare-train" });
        var test = dag.Task("ingest_test", "ml.ingest", new { path = "data/taxi-fare/taxi-fare-test.csv", name = "taxi-fare-test" });

        // The test file must look like the training file: same columns and kinds, no new categories, values within the
        // training ranges widened by 150% of their width (fares and rate codes have long tails).
        var validate = dag.Task("validate_test", "ml.validate", new { dataset = "ingest_test", reference = "ingest_train", tolerances = new { range = 1.5 } })
            .DependsOn(train, test);

        var forest = dag.Task("train_forest", "ml.train", new
        {
            task = "regression", label = "fare_amount", trainer = "fastForest", categorical,
            hyperparameters = new { numberOfTrees = 50 }, holdout = 0, seed = 7,
        }).DependsOn(train);
        var boosted = dag.Task("train_boosted", "ml.train", new
        {
            task = "regression", label = "fare_amount", trainer = "fastTree", categorical,
            hyperparameters = new { numberOfTrees = 100, learningRate = 0.2 }, holdout = 0, seed = 7,
        }).DependsOn(train);

        var evaluate = dag.Task("evaluate", "ml.evaluate", new { dataset = "ingest_test", model = "{{ params.model }}", metric = "rmse" })
            .DependsOn(forest, boosted, validate);
        var gate = dag.Task("gate", "ml.gate", new
        {
            policies = new object[]
            {
                new { metric = "r2", min = "{{ params.minR2 }}" },
                new { metric = "rmse", minChange = 0 },   // lower is better: no worse than production
            },
        }).DependsOn(evaluate);
        var register = dag.Task("register", "ml.register", new { model = "{{ params.model }}", description = "daily retrain" }).DependsOn(gate);
        var deploy = dag.Task("deploy", "ml.deploy", new { model = "{{ params.model }}" }).DependsOn(register);

        dag.Task<DeploymentReportTask>("report")
            .WithArgs(new { deployment = "{{ outputs.deploy }}", evaluation = "{{ outputs.evaluate }}" })
            .DependsOn(deploy);
    }
}

/// <summary>Says what the run deployed and how it scored. Its constructor takes the host's clock: task classes get the
/// services they need through their constructors.</summary>
public sealed class DeploymentReportTask(TimeProvider clock) : IDagTask
{
    public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var deployment = context.Args.RequireObject("deployment");
        var evaluation = context.Args.RequireObject("evaluation");
        var chosen = evaluation.GetProperty("chosen");
        var version = deployment.GetProperty("version").GetInt32();
        var rmse = chosen.GetProperty("metrics").GetProperty("rmse").GetDouble();
        context.Logger.LogInformation("{Model} version {Version} ({Candidate}) serves as {Alias} from {At}; rmse on the test file {Rmse}",
            deployment.GetProperty("model").GetString(), version, chosen.GetProperty("trainedBy").GetString(),
            deployment.GetProperty("alias").GetString(), clock.GetUtcNow().ToString("u", CultureInfo.InvariantCulture),
            rmse.ToString("F3", CultureInfo.InvariantCulture));
        return Task.FromResult<object?>(new { version, rmse, previous = deployment.TryGetProperty("previous", out var previous) ? previous.Clone() : default(JsonElement?) });
    }
}
