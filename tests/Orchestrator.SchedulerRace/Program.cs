using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Loading;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Sql;

// Usage: Orchestrator.SchedulerRace CONNECTION SCHEMA DAG_FILE FROM UNTIL
// Registers the DAG as a scheduler's catalog does, prints "ready", waits for a line on standard input (so two
// processes start together), then steps a clock hour by hour from FROM to UNTIL asking the run factory for the runs
// due at each step, exactly as Quartz's fires would, and prints how many runs this process created.
if (args.Length != 5)
{
    await Console.Error.WriteLineAsync("usage: Orchestrator.SchedulerRace CONNECTION SCHEMA DAG_FILE FROM UNTIL");
    return 2;
}

var from = DateTimeOffset.Parse(args[3], CultureInfo.InvariantCulture);
var until = DateTimeOffset.Parse(args[4], CultureInfo.InvariantCulture);
var time = new FakeTimeProvider(from);
var loaded = await DagLoaders.CreateFolderLoader(new DagLoaderOptions { KnownTaskTypes = new HashSet<string> { "empty" } })
    .LoadFileAsync(args[2], CancellationToken.None);
if (loaded.Errors.Count > 0 || loaded.Dags.Count != 1)
{
    await Console.Error.WriteLineAsync($"{args[2]}: {string.Join("; ", loaded.Errors)}");
    return 2;
}

var dag = loaded.Dags[0];
await using var store = await SqlMetadataStore.OpenAsync(new PostgresDatabase(args[0], args[1]), TimeProvider.System, CancellationToken.None);
await DagRegistration.RegisterAsync(store, dag, time.GetUtcNow(), CancellationToken.None);
var factory = new RunFactory(store, time);
Console.WriteLine("ready");
await Console.In.ReadLineAsync();

var created = 0;
for (var now = from; now <= until; now = now.AddHours(1))
{
    time.SetUtcNow(now);
    created += (await factory.CreateDueRunsAsync(dag, CancellationToken.None)).Count;
}

Console.WriteLine(created.ToString(CultureInfo.InvariantCulture));
return 0;
