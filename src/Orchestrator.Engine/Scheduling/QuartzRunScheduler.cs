using System.Collections.Specialized;
using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;
using Orchestrator.Engine.Catalog;
using Quartz;
using Quartz.Impl;
using Quartz.Spi;

namespace Orchestrator.Engine.Scheduling;

/// <summary>Quartz decides *when*: one job per scheduled DAG, with the cron triggers of its schedule in its time
/// zone (two triggers when cron's day-of-month/day-of-week OR needs them). A fire asks the <see cref="RunFactory"/>
/// for the runs now due, so a missed fire is made up on the next one. RAM job store in embedded mode.</summary>
public sealed class QuartzRunScheduler : IAsyncDisposable
{
    private const string Group = "dags";
    private readonly IScheduler _scheduler;
    private readonly DagCatalog _catalog;
    private readonly Dictionary<DagId, string> _scheduled = [];

    private QuartzRunScheduler(IScheduler scheduler, DagCatalog catalog)
    {
        _scheduler = scheduler;
        _catalog = catalog;
    }

    public static async Task<QuartzRunScheduler> StartAsync(DagCatalog catalog, RunFactory runs, Func<Task> runsCreated, CancellationToken cancellationToken)
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
        var result = new QuartzRunScheduler(scheduler, catalog);
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

            var dag = _catalog.Current[dagId].Definition;
            var job = JobBuilder.Create<ScheduledRunJob>().WithIdentity(dagId.Value, Group).UsingJobData("dagId", dagId.Value).Build();
            var zone = TimeZoneInfo.FindSystemTimeZoneById(dag.TimeZone);
            var triggers = CronSchedule.Parse(dag.Schedule!).ToQuartzCronExpressions()
                .Select((expression, i) => TriggerBuilder.Create()
                    .WithIdentity($"{dagId}#{i}", Group)
                    .ForJob(job)
                    .WithCronSchedule(expression, cron => cron.InTimeZone(zone).WithMisfireHandlingInstructionFireAndProceed())
                    .Build())
                .ToList();
            await _scheduler.ScheduleJob(job, triggers, replace: true, cancellationToken);
            _scheduled[dagId] = signature;
        }
    }

    public async ValueTask DisposeAsync() => await _scheduler.Shutdown(waitForJobsToComplete: false);

    /// <summary>A fire of a DAG's trigger: create the runs now due.</summary>
    private sealed class ScheduledRunJob(DagCatalog catalog, RunFactory runs, Func<Task> runsCreated) : IJob
    {
        public async Task Execute(IJobExecutionContext context)
        {
            var dagId = new DagId(context.MergedJobDataMap.GetString("dagId")!);
            if (catalog.Current.TryGetValue(dagId, out var dag) && (await runs.CreateDueRunsAsync(dag, context.CancellationToken)).Count > 0)
            {
                await runsCreated();
            }
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
