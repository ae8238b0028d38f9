using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Application;
using Orchestrator.Application.Pools;
using Orchestrator.Cli.Hosting;
using Orchestrator.Cli.Output;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>pools list|get|set|delete</c>: cluster-wide pools (Airflow's), shared by every process on the
/// metadata store. A task with a <c>pool</c> waits in scheduled until the pool has slots for it.</summary>
internal static class PoolsCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("pools", "Pools: named slot counts that limit how many tasks naming them run at once, across the cluster.");
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Get(console));
        command.Subcommands.Add(Set(console));
        command.Subcommands.Add(Delete(console));
        return command;
    }

    private static Argument<string> Name() => new("name") { Description = "The pool's name: 1-64 letters, digits, '_', '-' or '.' (not dots alone)." };

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "List pools with their slots and how they are used now (running, queued, waiting, open).");
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var pools = await host.Get<PoolService>().ListAsync(cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(pools, JsonOutput.CamelCase));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{pools.Count} pool(s)");
            table.AddColumns("name", "slots", "running", "queued", "waiting", "open", "description");
            foreach (var pool in pools)
            {
                table.AddRow(Markup.Escape(pool.Name), Number(pool.Slots), Number(pool.Running), Number(pool.Queued),
                    Number(pool.Waiting), Number(pool.Open), Markup.Escape(pool.Description ?? ""));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Get(CliConsole console)
    {
        var name = Name();
        var command = new Command("get", "Show one pool and its usage.");
        command.Arguments.Add(name);
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            return await ApplicationProblems.RunAsync(console, async () =>
            {
                var pool = await host.Get<PoolService>().GetAsync(parse.GetValue(name)!, cancellationToken);
                if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
                {
                    await console.Output.WriteLineAsync(JsonSerializer.Serialize(pool, JsonOutput.CamelCase));
                    return 0;
                }

                await console.Output.WriteLineAsync(Describe(pool));
                return 0;
            });
        });
        return command;
    }

    private static Command Set(CliConsole console)
    {
        var name = Name();
        var slots = new Argument<string>("slots") { Description = $"How many slots: a whole number from 0 to {PoolRules.MaxSlots} (0 admits nothing)." };
        var description = new Option<string?>("--description") { Description = "What the pool is for (at most 500 characters; \"\" removes it). Left out: kept." };
        var command = new Command("set", "Create a pool or change its slots (and description).");
        command.Arguments.Add(name);
        command.Arguments.Add(slots);
        command.Options.Add(description);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var text = parse.GetValue(slots)!;
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"error: slots must be a whole number from 0 to {PoolRules.MaxSlots:N0}, not '{text}'"));
                return 2;
            }

            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            return await ApplicationProblems.RunAsync(console, async () =>
            {
                var service = host.Get<PoolService>();
                var saved = parse.GetResult(description) is null
                    ? await service.SetSlotsAsync(parse.GetValue(name)!, count, Actor.Cli, cancellationToken)
                    : await service.SetAsync(parse.GetValue(name)!, count, parse.GetValue(description), Actor.Cli, cancellationToken);
                await console.Output.WriteLineAsync($"pool {saved.Pool.Name} {(saved.Created ? "created" : "updated")}: {Describe(saved.Pool)}");
                return 0;
            });
        });
        return command;
    }

    private static Command Delete(CliConsole console)
    {
        var name = Name();
        var command = new Command("delete", "Delete a pool no task instance is queued, running or waiting in.");
        command.Arguments.Add(name);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            return await ApplicationProblems.RunAsync(console, async () =>
            {
                await host.Get<PoolService>().DeleteAsync(parse.GetValue(name)!, Actor.Cli, cancellationToken);
                await console.Output.WriteLineAsync($"pool {parse.GetValue(name)} deleted");
                return 0;
            });
        });
        return command;
    }

    private static string Describe(PoolView pool) => string.Create(CultureInfo.InvariantCulture,
        $"{pool.Name}: {pool.Slots} slots, {pool.Running} running, {pool.Queued} queued, {pool.Waiting} waiting, {pool.Open} open") +
        (pool.Description is null ? "" : $" — {pool.Description}");

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
