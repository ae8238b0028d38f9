using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli.Hosting;
using Orchestrator.Cli.Output;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Keys;
using Orchestrator.Secrets.Naming;
using Orchestrator.Secrets.Services;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>variables set|get|list|delete</c>: Airflow's Variables, encrypted in the metadata store. Values are
/// shown only by <c>get</c>; <c>list</c> shows names and update times.</summary>
internal static class VariablesCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("variables", "Variables: named values (encrypted at rest) that templates read as {{ var.NAME }}.");
        command.Subcommands.Add(Set(console));
        command.Subcommands.Add(Get(console));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Delete(console));
        return command;
    }

    private static Argument<string> Name() => new("name") { Description = "The variable's name: letters, digits, '_', '.' and '-'." };

    private static Command Set(CliConsole console)
    {
        var name = Name();
        var value = new Argument<string>("value") { Description = "The value (stored encrypted; masked as *** in task logs)." };
        var command = new Command("set", "Create a variable or replace its value.");
        command.Arguments.Add(name);
        command.Arguments.Add(value);
        command.SetAction((parse, cancellationToken) => SecretCommands.RunAsync(console, parse.GetValue(name), async () =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var store = host.Store;
            await host.Get<VariableService>().SetAsync(parse.GetValue(name)!, parse.GetValue(value)!, cancellationToken);
            await console.Output.WriteLineAsync($"variable {parse.GetValue(name)} set");
            return 0;
        }));
        return command;
    }

    private static Command Get(CliConsole console)
    {
        var name = Name();
        var command = new Command("get", "Print a variable's value.");
        command.Arguments.Add(name);
        command.SetAction((parse, cancellationToken) => SecretCommands.RunAsync(console, parse.GetValue(name), async () =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var store = host.Store;
            var value = await host.Get<VariableService>().GetAsync(parse.GetValue(name)!, cancellationToken);
            if (value is null)
            {
                await console.Error.WriteLineAsync($"error: no variable '{parse.GetValue(name)}' (see `variables list`)");
                return 1;
            }

            await console.Output.WriteLineAsync(value);
            return 0;
        }));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "List variables: names and update times (never values).");
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var store = host.Store;
            // Listing needs no key: names and times are stored in clear.
            var variables = await host.Get<VariableService>().ListAsync(cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(variables.Select(v => new { name = v.Name, updatedAt = v.UpdatedAt }), JsonOutput.Options));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{variables.Count} variable(s)");
            table.AddColumns("name", "updated");
            foreach (var variable in variables)
            {
                table.AddRow(Markup.Escape(variable.Name), $"{variable.UpdatedAt:u}");
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Delete(CliConsole console)
    {
        var name = Name();
        var command = new Command("delete", "Delete a variable.");
        command.Arguments.Add(name);
        command.SetAction((parse, cancellationToken) => SecretCommands.RunAsync(console, parse.GetValue(name), async () =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var store = host.Store;
            var deleted = await store.Variables.DeleteAsync(parse.GetValue(name)!, cancellationToken);
            await (deleted
                ? console.Output.WriteLineAsync($"variable {parse.GetValue(name)} deleted")
                : console.Error.WriteLineAsync($"error: no variable '{parse.GetValue(name)}' (see `variables list`)"));
            return deleted ? 0 : 1;
        }));
        return command;
    }
}

/// <summary>What the variables and connections commands share: the name is checked before anything is opened,
/// and a key or decryption problem is one clear line, not a stack trace.</summary>
internal static class SecretCommands
{
    public const int BadInput = 2;

    public static async Task<int> RunAsync(CliConsole console, string? name, Func<Task<int>> work, string field = "name")
    {
        if (SecretNames.Problem(name, field) is { } problem)
        {
            await console.Error.WriteLineAsync($"error: {problem}");
            return BadInput;
        }

        try
        {
            return await work();
        }
        catch (Exception exception) when (exception is SecretDecryptionException or SecretKeyException)
        {
            await console.Error.WriteLineAsync($"error: {exception.Message}");
            return 1;
        }
    }
}
