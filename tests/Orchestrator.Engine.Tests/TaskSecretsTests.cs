using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Secrets.Services;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests;

/// <summary>What a try sees and shows back in the engine: secrets masked in its log, output and error; its data interval.</summary>
public class TaskSecretsTests
{
    [Fact]
    public async Task SensitiveConfAndVariables_AreMaskedInTheStoredLogAndOutput_ButReachTheCommand()
    {
        await using var engine = await EngineFixture.StartAsync();
        await new VariableService(engine.Store.Variables, engine.Cipher, TimeProvider.System).SetAsync("api_key", "k3y-S3cret-value", default);
        var dag = new DagBuilder("secretive").Param("db_password", "default");
        dag.Shell("use", "echo \"pw={{ params.db_password }} key={{ var.api_key }} len=${#X}\"; echo \"{{ params.db_password }}\" >&2")
            .Then(dag.Shell("echo_env", "echo {{ outputs.use }}"));
        var run = await engine.TriggerAsync(engine.Register(dag), """{"db_password": "hunter2-Hunter2"}""");

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(run));
        var log = await engine.Store.Logs.ReadAsync(run, new TaskId("use"), 1, default);
        Assert.Equal(["***", "pw=*** key=*** len=0"], log.Select(l => l.Message).Order(StringComparer.Ordinal)); // stdout and stderr interleave freely
        var outputs = await engine.Store.Outputs.GetAllAsync(run, default);
        Assert.Equal("\"pw=*** key=*** len=0\"", outputs[new TaskId("use")]);
        var all = string.Join("\n", (await engine.Store.Logs.ReadAsync(run, new TaskId("echo_env"), 1, default)).Select(l => l.Message));
        Assert.DoesNotContain("hunter2", all, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cret", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATemplateErrorShowingAnOutput_HasItsSecretMasked()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("leaky").Param("api_token", "tok-Very-Secret-1");
        dag.Shell("up", """echo '{"a": "{{ params.api_token }}"}' """).Then(dag.Shell("down", "echo {{ outputs.up.missing }}"));
        var run = await engine.TriggerAsync(engine.Register(dag));

        Assert.Equal(DagRunState.Failed, await engine.FinishedAsync(run));
        var down = (await engine.TasksAsync(run))["down"];
        Assert.DoesNotContain("tok-Very-Secret-1", down.StateReason, StringComparison.Ordinal);
        var tries = await engine.Store.TaskInstances.ListTriesAsync(run, new TaskId("down"), default);
        Assert.DoesNotContain("tok-Very-Secret-1", tries.Single().Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AScheduledRun_SeesTheScheduleIntervalEndingAtItsLogicalDate_AManualRunAnEmptyOne()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("interval").Schedule("0 6 * * *");
        dag.Shell("t", "echo {{ run.dataIntervalStart }}/{{ run.dataIntervalEnd }}");
        var loaded = engine.Register(dag);
        var fire = new DateTimeOffset(2026, 3, 10, 6, 0, 0, TimeSpan.Zero);

        var scheduled = await engine.TriggerAsync(loaded, type: RunType.Scheduled, logicalDate: fire);
        var manual = await engine.TriggerAsync(loaded, logicalDate: fire.AddHours(1));

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(scheduled));
        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(manual));
        Assert.Equal("\"2026-03-09T06:00:00+00:00/2026-03-10T06:00:00+00:00\"", (await engine.Store.Outputs.GetAllAsync(scheduled, default)).Single().Value);
        Assert.Equal("\"2026-03-10T07:00:00+00:00/2026-03-10T07:00:00+00:00\"", (await engine.Store.Outputs.GetAllAsync(manual, default)).Single().Value);
    }
}
