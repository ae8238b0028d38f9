using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Scheduling.Clustered;
using Quartz;
using Quartz.Extensibility;

namespace Orchestrator.Engine.Scheduling;

/// <summary>Quartz decides *when*: one job per scheduled DAG, with the cron triggers of its schedule in its time
/// zone (two triggers when cron's day-of-month/day-of-week OR needs them), plus a one-shot trigger at the planner's
/// next run whenever Quartz would fire later (around DST changes). A fire asks the <see cref="RunFactory"/> for the
/// runs now due, so a missed fire is made up on the next one. RAM job store in embedded mode.</summary>
public sealed class QuartzRunScheduler : IAsyncDisposable
{
    private const string Group = "dags";
    private readonly StandaloneSchedulerFactory _factory;
    private readonly IScheduler _scheduler;
    private readonly DagCatalog _catalog;
    private readonly Dictionary<DagId, string> _scheduled = [];

    private readonly TimeProvider _time;

    private QuartzRunScheduler(StandaloneSchedulerFactory factory, IScheduler scheduler, DagCatalog catalog, TimeProvider time)
    {
        _factory = factory;
        _scheduler = scheduler;
        _catalog = catalog;
        _time = time;
    }

    public static Task<QuartzRunScheduler> StartAsync(DagCatalog catalog, RunFactory runs, Func<Task> runsCreated, TimeProvider time, CancellationToken cancellationToken) =>
        StartAsync(catalog, runs, runsCreated, time, QuartzStore.Ram, cancellationToken);

    /// <summary>Starts Quartz on <paramref name="store"/>: <see cref="QuartzStore.Ram"/> in embedded mode, or
    /// <see cref="QuartzStore.ClusteredPostgres"/> so several schedulers share the triggers and each fire is taken by
    /// one of them (the store's one-run-per-logical-date rule stops a duplicate run even then).</summary>
    public static async Task<QuartzRunScheduler> StartAsync(
        DagCatalog catalog, RunFactory runs, Func<Task> runsCreated, TimeProvider time, QuartzStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);

        // Quartz reads the engine's clock, so a fake one drives its fires in tests; the factory owns the container
        // Quartz builds the scheduler from and is disposed with it.
        var factory = QuartzSchedulerBuilder.Create(quartz =>
        {
            quartz.UseDefaultThreadPool(maxConcurrency: 2)
                .UseTimeProvider(time)
                .UseJobFactory(new Factory(catalog, runs, runsCreated));
            QuartzStores.Apply(quartz, store);
        }).Build();
        try
        {
            var scheduler = await factory.GetScheduler(cancellationToken);
            await scheduler.Start(cancellationToken);
            var result = new QuartzRunScheduler(factory, scheduler, catalog, time);
            await result.SyncAsync(cancellationToken);
            return result;
        }
        catch (SchedulerException exception) when (store is ClusteredPostgresQuartzStore clustered && exception.Message.Contains("schema validation", StringComparison.OrdinalIgnoreCase))
        {
            await factory.DisposeAsync();
            throw new InvalidOperationException(
                $"{clustered} cannot start: Quartz's tables are missing or out of date; run `orchestrator db migrate` on this database first ({exception.Message})", exception);
        }
        catch
        {
            await factory.DisposeAsync();
            throw;
        }
    }

    /// <summary>The Quartz scheduler itself, for tests that drive it and watch what it fires.</summary>
    internal IScheduler Scheduler => _scheduler;

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
            await _scheduler.ScheduleJob(job, Triggers(dag, job), ScheduleJobOptions.Replacing, cancellationToken);
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
                .WithCronSchedule(expression, cron => cron.InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                .Build())];
    }

    /// <summary>The planner's next run when it comes before Quartz's next cron fire; otherwise null. They differ only
    /// around DST changes, where Quartz moves a local time that does not exist (02:30 on spring-forward day) by the
    /// whole shift and fires a repeated hour once, while the planner keeps cron's meaning.</summary>
    private static DateTimeOffset? PlannedFireNeeded(DagDefinition dag, DateTimeOffset? quartzNext, DateTimeOffset after) =>
        SchedulePlanner.NextRun(dag, after) is { } planned && (quartzNext is null || planned < quartzNext) ? planned : null;

    /// <summary>When the cron triggers will really fire next: their own next fire time as Quartz keeps it, not
    /// <c>GetFireTimeAfter</c>. The two differ in a repeated (fall-back) hour: Quartz has already stepped past it,
    /// while a fresh evaluation from inside it finds it again, which hid the planner's second fire there.</summary>
    private static DateTimeOffset? NextCronFire(IEnumerable<ITrigger> cronTriggers) =>
        cronTriggers.Select(t => t.NextFireTimeUtc).Where(t => t is not null).Min();

    /// <summary>Adds a one-shot trigger at the planner's next run when Quartz's cron triggers would fire later, and
    /// drops pending ones that are no longer right. Each one-shot trigger has a key of its own (its time), so arming
    /// the next one from inside the fire of the previous one (both offsets of a repeated hour) never touches the
    /// trigger Quartz is completing.</summary>
    private static async Task ArmPlannedFireAsync(IScheduler scheduler, DagDefinition dag, DateTimeOffset after, CancellationToken cancellationToken)
    {
        var job = new JobKey(dag.Id.Value, Group);
        var prefix = $"{dag.Id}{PlannedSuffix}";
        var triggers = await scheduler.GetTriggersOfJob(job, cancellationToken);
        var planned = triggers.Where(t => t.Key.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        var at = PlannedFireNeeded(dag, NextCronFire(triggers.Except(planned)), after);
        var key = at is { } time ? new TriggerKey($"{prefix}{time.UtcTicks}", Group) : null;
        foreach (var stale in planned.Where(t => !t.Key.Equals(key) && t.NextFireTimeUtc is not null))
        {
            await scheduler.UnscheduleJob(stale.Key, cancellationToken);
        }

        if (key is null || planned.Any(t => t.Key.Equals(key)))
        {
            return;
        }

        await scheduler.ScheduleJob(TriggerBuilder.Create().WithIdentity(key).ForJob(job).StartAt(at!.Value)
            .WithSimpleSchedule(simple => simple.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow)).Build(), cancellationToken: cancellationToken);
    }

    private const string PlannedSuffix = "#planned@";

    internal static IJobDetail JobFor(DagId dagId) =>
        JobBuilder.Create<ScheduledRunJob>().WithIdentity(dagId.Value, Group).UsingJobData("dagId", dagId.Value).Build();

    public async ValueTask DisposeAsync()
    {
        await _scheduler.Shutdown(waitForJobsToComplete: false);
        await _factory.DisposeAsync();
    }

    /// <summary>A fire of a DAG's trigger: create the runs now due.</summary>
    private sealed class ScheduledRunJob(DagCatalog catalog, RunFactory runs, Func<Task> runsCreated) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            var dagId = new DagId(context.MergedJobDataMap.GetString("dagId")!);
            if (!catalog.Current.TryGetValue(dagId, out var dag))
            {
                return;
            }

            if ((await runs.CreateDueRunsAsync(dag, cancellationToken)).Count > 0)
            {
                await runsCreated();
            }

            await ArmPlannedFireAsync(context.Scheduler, dag.Definition, context.ScheduledFireTimeUtc ?? context.FireTimeUtc, cancellationToken);
        }
    }

    private sealed class Factory(DagCatalog catalog, RunFactory runs, Func<Task> runsCreated) : IJobFactory
    {
        public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new JobScope(new ScheduledRunJob(catalog, runs, runsCreated), null));

        public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
