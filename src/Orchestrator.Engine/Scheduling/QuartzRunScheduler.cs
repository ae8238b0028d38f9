using System.Collections.Specialized;
using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;
using Orchestrator.Engine.Catalog;
using Quartz;
using Quartz.Impl;
using Quartz.Spi;

namespace Orchestrator.Engine.Scheduling;

/// <summary>Quartz decides *when*: one job per scheduled DAG, with the cron triggers of its schedule in its time
/// zone (two triggers when cron's day-of-month/day-of-week OR needs them), plus a one-shot trigger at the planner's
/// next run whenever Quartz would fire later (around DST changes). A fire asks the <see cref="RunFactory"/> for the
/// runs now due, so a missed fire is made up on the next one. RAM job store in embedded mode.</summary>
public sealed class QuartzRunScheduler : IAsyncDisposable
{
    private const string Group = "dags";
    private readonly IScheduler _scheduler;
    private readonly DagCatalog _catalog;
    private readonly Dictionary<DagId, string> _scheduled = [];

    private readonly TimeProvider _time;

    private QuartzRunScheduler(IScheduler scheduler, DagCatalog catalog, TimeProvider time)
    {
        _scheduler = scheduler;
        _catalog = catalog;
        _time = time;
    }

    public static async Task<QuartzRunScheduler> StartAsync(DagCatalog catalog, RunFactory runs, Func<Task> runsCreated, TimeProvider time, CancellationToken cancellationToken)
    {
        var factory = new StdSchedulerFactory(new NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = $"orchestrator-{Guid.NewGuid():N}",
            ["quartz.jobStore.type"] = "Quartz.Simpl.RAMJobStore, Quartz",
            ["quartz.threadPool.maxConcurrency"] = "2",
        });
        var scheduler = await factory.GetScheduler(cancellationToken);
        scheduler.JobFactory = new Factory(catalog, runs, runsCreated);
        await scheduler.Start(cancellationToken);
        var result = new QuartzRunScheduler(scheduler, catalog, time);
        await result.SyncAsync(cancellationToken);
        return result;
    }

    /// <summary>Brings Quartz's jobs in line with the catalog: new or changed schedules get new triggers, removed
    /// ones lose theirs.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var current = _catalog.Current.Values.Where(d => d.Definition.Schedule is not null)
            .ToDictionary(d => d.Id, d => $"{d.Definition.Schedule}@{d.Definition.TimeZone}@{d.Definition.Start:O}");
        foreach (var gone in _scheduled.Keys.Where(id => !current.ContainsKey(id)).ToList())
        {
            await _scheduler.DeleteJob(new JobKey(gone.Value, Group), cancellationToken);
            _scheduled.Remove(gone);
        }

        foreach (var (dagId, signature) in current)
        {
            if (_scheduled.GetValueOrDefault(dagId) == signature)
            {
                continue;
            }

            var job = JobFor(dagId);
            var dag = _catalog.Current[dagId].Definition;
            await _scheduler.ScheduleJob(job, Triggers(dag, job), replace: true, cancellationToken);
            await ArmPlannedFireAsync(_scheduler, dag, _time.GetUtcNow(), cancellationToken);
            _scheduled[dagId] = signature;
        }
    }

    /// <summary>The Quartz triggers of a scheduled DAG: its cron expression(s) in its time zone. A fire that Quartz
    /// missed (process paused, clock jump) fires once at once; the planner then creates every run due.</summary>
    internal static IReadOnlyCollection<ITrigger> Triggers(DagDefinition dag, IJobDetail job)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(dag.TimeZone);
        return [.. CronSchedule.Parse(dag.Schedule!).ToQuartzCronExpressions()
            .Select((expression, i) => TriggerBuilder.Create()
                .WithIdentity($"{dag.Id}#{i}", Group)
                .ForJob(job)
                .WithCronSchedule(expression, cron => cron.InTimeZone(zone).WithMisfireHandlingInstructionFireAndProceed())
                .Build())];
    }

    /// <summary>When Quartz must next fire for a DAG: the earlier of its cron triggers' next fire and the planner's
    /// next run. They differ only around DST changes, where Quartz moves a local time that does not exist (02:30 on
    /// spring-forward day) by the whole shift and fires a repeated hour once, while the planner keeps cron's meaning.</summary>
    internal static DateTimeOffset? NextFire(DagDefinition dag, IEnumerable<ITrigger> cronTriggers, DateTimeOffset after)
    {
        var quartz = NextCronFire(cronTriggers, after);
        return PlannedFireNeeded(dag, quartz, after) ?? quartz;
    }

    /// <summary>The planner's next run when it comes before Quartz's next cron fire; otherwise null.</summary>
    private static DateTimeOffset? PlannedFireNeeded(DagDefinition dag, DateTimeOffset? quartzNext, DateTimeOffset after) =>
        SchedulePlanner.NextRun(dag, after) is { } planned && (quartzNext is null || planned < quartzNext) ? planned : null;

    private static DateTimeOffset? NextCronFire(IEnumerable<ITrigger> cronTriggers, DateTimeOffset after) =>
        cronTriggers.Select(t => t.GetFireTimeAfter(after)).Where(t => t is not null).Min();

    /// <summary>Adds a one-shot trigger at the planner's next run when Quartz's cron triggers would fire later.</summary>
    private static async Task ArmPlannedFireAsync(IScheduler scheduler, DagDefinition dag, DateTimeOffset after, CancellationToken cancellationToken)
    {
        var job = new JobKey(dag.Id.Value, Group);
        var planned = new TriggerKey($"{dag.Id}#planned", Group);
        var cron = (await scheduler.GetTriggersOfJob(job, cancellationToken)).Where(t => !t.Key.Equals(planned));
        if (PlannedFireNeeded(dag, NextCronFire(cron, after), after) is not { } at)
        {
            return;
        }

        var trigger = TriggerBuilder.Create().WithIdentity(planned).ForJob(job).StartAt(at)
            .WithSimpleSchedule(simple => simple.WithMisfireHandlingInstructionFireNow()).Build();
        if (await scheduler.CheckExists(planned, cancellationToken))
        {
            await scheduler.RescheduleJob(planned, trigger, cancellationToken);
        }
        else
        {
            await scheduler.ScheduleJob(trigger, cancellationToken);
        }
    }

    internal static IJobDetail JobFor(DagId dagId) =>
        JobBuilder.Create<ScheduledRunJob>().WithIdentity(dagId.Value, Group).UsingJobData("dagId", dagId.Value).Build();

    public async ValueTask DisposeAsync() => await _scheduler.Shutdown(waitForJobsToComplete: false);

    /// <summary>A fire of a DAG's trigger: create the runs now due.</summary>
    private sealed class ScheduledRunJob(DagCatalog catalog, RunFactory runs, Func<Task> runsCreated) : IJob
    {
        public async Task Execute(IJobExecutionContext context)
        {
            var dagId = new DagId(context.MergedJobDataMap.GetString("dagId")!);
            if (!catalog.Current.TryGetValue(dagId, out var dag))
            {
                return;
            }

            if ((await runs.CreateDueRunsAsync(dag, context.CancellationToken)).Count > 0)
            {
                await runsCreated();
            }

            await ArmPlannedFireAsync(context.Scheduler, dag.Definition, context.ScheduledFireTimeUtc ?? context.FireTimeUtc, context.CancellationToken);
        }
    }

    private sealed class Factory(DagCatalog catalog, RunFactory runs, Func<Task> runsCreated) : IJobFactory
    {
        public IJob NewJob(TriggerFiredBundle bundle, IScheduler scheduler) => new ScheduledRunJob(catalog, runs, runsCreated);

        public void ReturnJob(IJob job)
        {
        }
    }
}
