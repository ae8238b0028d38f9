using Npgsql;
using Quartz;
using Quartz.Impl;

namespace Orchestrator.Engine.Scheduling.Clustered;

/// <summary>Turns a <see cref="QuartzStore"/> into Quartz's builder calls.</summary>
internal static class QuartzStores
{
    public static void Apply(IQuartzBuilder quartz, QuartzStore store)
    {
        switch (store)
        {
            case RamQuartzStore:
                // A name of its own: several in-memory schedulers in one process (tests) never meet.
                quartz.ConfigureScheduler(options => options.InstanceName = $"orchestrator-{Guid.NewGuid():N}")
                    .UseInMemoryStore(_ => { });
                break;
            case ClusteredPostgresQuartzStore clustered:
                // One name for the whole cluster; the instance id is generated per node (AUTO), which is what lets
                // the nodes see each other's check-ins and recover a dead node's triggers.
                quartz.ConfigureScheduler(options =>
                {
                    options.InstanceName = ClusteredPostgresQuartzStore.SchedulerName;
                    options.GenerateInstanceId = true;
                })
                .UsePersistentStore(persistent =>
                {
                    persistent.UsePostgres(NpgsqlFactory.Instance, clustered.ConnectionString);
                    persistent.UseSerializer<SystemTextJsonObjectSerializer>();
                    persistent.ConfigureStore(options =>
                    {
                        options.TablePrefix = QuartzSchema.TablePrefix;
                        // The tables come from `db migrate`; a store it has not prepared is refused at start.
                        options.SchemaProvisioning = SchemaProvisioning.Validate;
                    });
                    persistent.UseClustering(cluster =>
                    {
                        cluster.CheckinInterval = clustered.CheckinInterval;
                        cluster.CheckinMisfireThreshold = clustered.CheckinMisfireThreshold;
                    });
                });
                break;
            default:
                throw new ArgumentException($"unknown Quartz store {store.GetType().Name}", nameof(store));
        }
    }
}
