using Orchestrator.Core.Alerts;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Tests.Alerts;

/// <summary>The pure planner the engine calls: which callbacks fire, as what kind, with which message and key.</summary>
public class CallbackAlertsTests
{
    private static readonly CallbackTarget DagFail = new(Connection: "ops", Severity: "critical");
    private static readonly CallbackTarget DagRetry = new(Url: "https://hooks.example.com/dag-retry");
    private static readonly CallbackTarget DagGate = new(Message: "gate {{ task.id }} said no: {{ reason }}");
    private static readonly CallbackTarget DagDrift = new(Connection: "ops", Severity: "info");
    private static readonly CallbackTarget TaskFail = new(Url: "http://127.0.0.1:9/fail", Message: "{{ dag.id }}/{{ run.id }}/{{ task.id }}#{{ task.tryNumber }}");
    private static readonly CallbackTarget TaskFail2 = new();
    private static readonly CallbackTarget TaskRetry = new(Severity: "info");
    private static readonly CallbackTarget TaskGate = new(Connection: "ml");
    private static readonly CallbackTarget TaskDrift = new(Url: "https://hooks.example.com/drift");

    private static DagDefinition Dag()
    {
        var dag = new DagBuilder("etl").OnFailure(DagFail).OnRetry(DagRetry).OnGateRejected(DagGate).OnDrift(DagDrift);
        dag.Task("train", "empty").OnFailure(TaskFail).OnFailure(TaskFail2).OnRetry(TaskRetry).OnGateRejected(TaskGate).OnDrift(TaskDrift);
        dag.Task("plain", "empty");
        return dag.Build();
    }

    private static TaskDefinition Task(DagDefinition dag, string id) => dag.Tasks.Single(t => t.Id.Value == id);

    [Fact]
    public void TaskFailure_FiresTheTasksOnFailure_NotTheDags()
    {
        var dag = Dag();

        var planned = CallbackAlerts.Plan(dag, Task(dag, "train"), new CallbackOccurrence(CallbackTrigger.Failure, "r1", "train", 3, "exit code 2"));

        Assert.Equal([TaskFail, TaskFail2], planned.Select(p => p.Target));
        Assert.All(planned, p => Assert.Equal(("taskFailed", "etl", "r1", "train", (long?)null), (p.Kind, p.DagId, p.RunId, p.TaskId, p.EventId)));
        Assert.Equal("etl/r1/train#3", planned[0].Message);
        Assert.Equal("Task 'train' of DAG 'etl' failed (run 'r1', try 3): exit code 2", planned[1].Message);
        Assert.Equal(["warning", "warning"], planned.Select(p => p.Severity));
        Assert.Equal("""{"url":"http://127.0.0.1:9/fail"}""", planned[0].TargetJson);
        Assert.Null(planned[1].TargetJson);
        Assert.Empty(CallbackAlerts.Plan(dag, Task(dag, "plain"), new CallbackOccurrence(CallbackTrigger.Failure, "r1", "plain", 1)));
    }

    [Fact]
    public void RunFailure_FiresTheDagsOnFailure()
    {
        var dag = Dag();

        var planned = Assert.Single(CallbackAlerts.Plan(dag, null, new CallbackOccurrence(CallbackTrigger.Failure, "r1", Reason: "task 'train' failed")));

        Assert.Equal((DagFail, "runFailed", "critical", """{"connection":"ops"}""", (string?)null), (planned.Target, planned.Kind, planned.Severity, planned.TargetJson, planned.TaskId));
        Assert.Equal("Run 'r1' of DAG 'etl' failed: task 'train' failed", planned.Message);
    }

    [Theory]
    [InlineData(CallbackTrigger.Retry, "taskRetry")]
    [InlineData(CallbackTrigger.GateRejected, "gateRejected")]
    [InlineData(CallbackTrigger.Drift, "drift")]
    public void OtherTriggers_FireTheTasksThenTheDags_ForAnyTask(CallbackTrigger trigger, string kind)
    {
        var dag = Dag();
        var occurrence = new CallbackOccurrence(trigger, "r1", "train", 2, "why", 42);

        var planned = CallbackAlerts.Plan(dag, Task(dag, "train"), occurrence);
        var plain = CallbackAlerts.Plan(dag, Task(dag, "plain"), occurrence with { TaskId = "plain" });

        Assert.Equal([Task(dag, "train").Callbacks.For(trigger).Single(), dag.Callbacks.For(trigger).Single()], planned.Select(p => p.Target));
        Assert.Equal([dag.Callbacks.For(trigger).Single()], plain.Select(p => p.Target));
        Assert.All(planned.Concat(plain), p => Assert.Equal((kind, (long?)42), (p.Kind, p.EventId)));
    }

    [Fact]
    public void DefaultMessages_SayWhatHappened()
    {
        var bare = new DagBuilder("d").OnRetry(new()).OnGateRejected(new()).OnDrift(new());
        bare.Task("t", "empty");
        var dag = bare.Build();
        var task = dag.Tasks[0];

        string Message(CallbackTrigger trigger, string? reason) =>
            CallbackAlerts.Plan(dag, task, new CallbackOccurrence(trigger, "r9", "t", 4, reason)).Single().Message;

        Assert.Equal("Task 't' of DAG 'd' failed and will be retried (run 'r9', try 4): boom", Message(CallbackTrigger.Retry, "boom"));
        Assert.Equal("Gate 't' of DAG 'd' rejected its candidate (run 'r9')", Message(CallbackTrigger.GateRejected, null));
        Assert.Equal("Drift detected by 't' of DAG 'd' (run 'r9'): 3 of 5 features", Message(CallbackTrigger.Drift, "3 of 5 features"));
        Assert.Equal("Drift detected for DAG 'd' (run 'r9')",
            CallbackAlerts.Plan(dag, null, new CallbackOccurrence(CallbackTrigger.Drift, "r9")).Single().Message);
        Assert.Equal("gate train said no: AUC 0.61 < 0.7",
            CallbackAlerts.Plan(Dag(), Task(Dag(), "train"), new CallbackOccurrence(CallbackTrigger.GateRejected, "r1", "train", 1, "AUC 0.61 < 0.7"))[1].Message);
    }

    [Fact]
    public void DedupeKeys_AreStableForOneOccurrence_AndDifferForEveryOther()
    {
        var dag = Dag();
        var train = Task(dag, "train");
        var occurrences = new (TaskDefinition? Task, CallbackOccurrence What)[]
        {
            (train, new(CallbackTrigger.Failure, "r1", "train", 3)),
            (train, new(CallbackTrigger.Failure, "r2", "train", 3)),
            (null, new(CallbackTrigger.Failure, "r1")),
            (train, new(CallbackTrigger.Retry, "r1", "train", 1)),
            (train, new(CallbackTrigger.Retry, "r1", "train", 2)),
            (train, new(CallbackTrigger.GateRejected, "r1", "train", 1)),
            (train, new(CallbackTrigger.Drift, "r1", "train", 1, EventId: 1)),
            (train, new(CallbackTrigger.Drift, "r1", "train", 1, EventId: 2)),
        };

        var keys = occurrences.SelectMany(o => CallbackAlerts.Plan(dag, o.Task, o.What)).Select(p => p.DedupeKey).ToList();
        var again = occurrences.SelectMany(o => CallbackAlerts.Plan(dag, o.Task, o.What with { Reason = "other text" })).Select(p => p.DedupeKey);

        Assert.Equal(2 + 2 + 1 + 2 + 2 + 2 + 2 + 2, keys.Count);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(keys, again);
    }

    [Fact]
    public void NoCallbacks_PlanNothing_AndAMismatchedTaskIsRefused()
    {
        var builder = new DagBuilder("quiet");
        builder.Task("t", "empty");
        var dag = builder.Build();

        foreach (var trigger in Enum.GetValues<CallbackTrigger>())
        {
            Assert.Empty(CallbackAlerts.Plan(dag, dag.Tasks[0], new CallbackOccurrence(trigger, "r1", "t", 1)));
            Assert.Empty(CallbackAlerts.Plan(dag, null, new CallbackOccurrence(trigger, "r1")));
        }

        Assert.Throws<ArgumentException>(() => CallbackAlerts.Plan(dag, dag.Tasks[0], new CallbackOccurrence(CallbackTrigger.Retry, "r1", "other", 1)));
    }

    [Fact]
    public void Builder_RefusesInvalidTargets_NamingTheField()
    {
        var builder = new DagBuilder("d").OnFailure(new CallbackTarget("ops", "https://h/"));
        builder.Task("t", "empty").OnRetry(new()).OnRetry(new CallbackTarget(Url: "file:///etc/passwd", Severity: "loud"));

        var result = builder.TryBuild();

        Assert.Null(result.Dag);
        Assert.Equal(
            ["callbacks.onFailure[0].url", "tasks[0].callbacks.onRetry[1].url", "tasks[0].callbacks.onRetry[1].severity"],
            result.Errors.Select(e => e.Location.Field));
    }
}
