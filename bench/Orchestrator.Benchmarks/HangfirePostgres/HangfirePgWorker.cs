using Hangfire;
using Hangfire.PostgreSql;

namespace Orchestrator.Benchmarks.HangfirePostgres;

/// <summary>The worker child process: a plain Hangfire BackgroundJobServer on Hangfire.PostgreSql, started by the
/// bench as `hangfire-pg-worker CONN OPTION-SET THREADS NAME`. It says "ready" on stdout once its server runs and stops
/// gracefully when its stdin closes (the parent ends it that way, so no worker outlives the bench).</summary>
internal static class HangfirePgWorker
{
    public const string Ready = "ready";

    public static async Task RunAsync(string connectionString, string optionSet, int threads, string name)
    {
        var storage = HangfirePgOptionSets.CreateStorage(connectionString, optionSet);
        JobStorage.Current = storage;
        HangfirePgJobs.Configure(connectionString);
        var options = new BackgroundJobServerOptions
        {
            ServerName = name,
            WorkerCount = threads,
            Queues = ["default"],
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        };
        using (new BackgroundJobServer(options, storage))
        {
            await Console.Out.WriteLineAsync(Ready);
            await Console.Out.FlushAsync();
            while (await Console.In.ReadLineAsync() is not null)
            {
            }
        }
    }
}
