using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Orchestrator.Application;
using Orchestrator.Cli.Hosting;
using Orchestrator.Cli.Output;
using Orchestrator.Web.Security;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>users create|list|delete</c> and <c>users token create|revoke</c>: access control for the web server.
/// Prompt-free so it scripts: a password comes from stdin or is generated and printed once; a token is printed once.
/// Only hashes are stored.</summary>
internal static class UsersCommand
{
    private const int BadInput = 2;

    public static Command Create(CliConsole console)
    {
        var command = new Command("users", "Users and API tokens of the web server (dashboard and REST API).");
        command.Subcommands.Add(CreateUser(console));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Delete(console));
        var token = new Command("token", "API tokens (Authorization: Bearer orch_…).");
        token.Subcommands.Add(CreateToken(console));
        token.Subcommands.Add(RevokeToken(console));
        command.Subcommands.Add(token);
        return command;
    }

    private static Argument<string> Name() => new("name") { Description = "The user's name: letters, digits, '_', '-', '.', '@'." };

    private static Command CreateUser(CliConsole console)
    {
        var name = Name();
        var role = new Option<string>("--role") { Description = "viewer, operator or admin.", DefaultValueFactory = _ => OrchestratorRoles.Viewer };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of stdin; else one is generated and printed once." };
        var command = new Command("create", "Create a user (the first one: --role admin).");
        command.Arguments.Add(name);
        command.Options.Add(role);
        command.Options.Add(passwordStdin);
        command.SetAction((parse, cancellationToken) => RunAsync(console, async () =>
        {
            var generated = !parse.GetValue(passwordStdin);
            var password = generated ? GeneratePassword() : (await console.Input.ReadLineAsync(cancellationToken))?.TrimEnd('\r');
            if (!generated && string.IsNullOrEmpty(password))
            {
                throw ApplicationProblemException.Invalid("--password-stdin: stdin held no password", "password");
            }

            // Checked before the store is opened: bad input changes nothing and needs no home.
            if (UserAccounts.NameProblem(parse.GetValue(name)) is { } problem)
            {
                throw ApplicationProblemException.Invalid(problem, "name");
            }

            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var user = await new UserAccounts(host.Store.Users, TimeProvider.System).CreateUserAsync(parse.GetValue(name), parse.GetValue(role), password, cancellationToken);
            await console.Output.WriteLineAsync($"user {user.Name} created ({user.Role})");
            if (generated)
            {
                await console.Output.WriteLineAsync($"password: {password}");
                await console.Error.WriteLineAsync("The password is shown once; store it now.");
            }

            return 0;
        }));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "List users: name, role, created, disabled (never password hashes).");
        command.Options.Add(CommonOptions.Output);
        command.SetAction((parse, cancellationToken) => RunAsync(console, async () =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var users = await host.Store.Users.ListAsync(cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(
                    users.Select(u => new { name = u.Name, role = u.Role, createdAt = u.CreatedAt, disabled = u.Disabled }), JsonOutput.Options));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{users.Count} user(s)");
            table.AddColumns("name", "role", "created", "disabled");
            foreach (var user in users)
            {
                table.AddRow(Markup.Escape(user.Name), user.Role, $"{user.CreatedAt:u}", user.Disabled ? "yes" : "");
            }

            console.Out.Write(table);
            return 0;
        }));
        return command;
    }

    private static Command Delete(CliConsole console)
    {
        var name = Name();
        var command = new Command("delete", "Delete a user and all its tokens.");
        command.Arguments.Add(name);
        command.SetAction((parse, cancellationToken) => RunAsync(console, async () =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            await new UserAccounts(host.Store.Users, TimeProvider.System).DeleteUserAsync(parse.GetValue(name)!, cancellationToken);
            await console.Output.WriteLineAsync($"user {parse.GetValue(name)} deleted");
            return 0;
        }));
        return command;
    }

    private static Command CreateToken(CliConsole console)
    {
        var name = new Argument<string>("user") { Description = "The user the token acts as." };
        var tokenName = new Option<string>("--token-name") { Description = "What the token is for (shown in lists).", DefaultValueFactory = _ => "cli" };
        var days = new Option<int?>("--expires-in-days") { Description = "Lifetime in days (default: until revoked)." };
        var command = new Command("create", "Create an API token for a user; it is printed once.");
        command.Arguments.Add(name);
        command.Options.Add(tokenName);
        command.Options.Add(days);
        command.SetAction((parse, cancellationToken) => RunAsync(console, async () =>
        {
            if (parse.GetValue(days) is < 1 or > 3650)
            {
                throw ApplicationProblemException.Invalid("--expires-in-days must be between 1 and 3650", "--expires-in-days");
            }

            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var lifetime = parse.GetValue(days) is { } d ? TimeSpan.FromDays(d) : (TimeSpan?)null;
            var (record, token) = await new UserAccounts(host.Store.Users, TimeProvider.System).CreateTokenAsync(parse.GetValue(name)!, parse.GetValue(tokenName), lifetime, cancellationToken);
            await console.Output.WriteLineAsync(token);
            await console.Error.WriteLineAsync($"token {record.Id} ({record.Name}) for {record.Owner}: shown once; store it now.");
            return 0;
        }));
        return command;
    }

    private static Command RevokeToken(CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "The token's id (tok_…), as printed when it was created." };
        var command = new Command("revoke", "Revoke an API token.");
        command.Arguments.Add(id);
        command.SetAction((parse, cancellationToken) => RunAsync(console, async () =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            await new UserAccounts(host.Store.Users, TimeProvider.System).RevokeTokenAsync(parse.GetValue(id)!, cancellationToken);
            await console.Output.WriteLineAsync($"token {parse.GetValue(id)} revoked");
            return 0;
        }));
        return command;
    }

    /// <summary>A refusal is one line on stderr: exit 2 for bad input, 1 for a missing or conflicting user/token.</summary>
    private static async Task<int> RunAsync(CliConsole console, Func<Task<int>> work)
    {
        try
        {
            return await work();
        }
        catch (ApplicationProblemException problem)
        {
            await console.Error.WriteLineAsync($"error: {problem.Message}");
            return problem.Kind == ProblemKind.Invalid ? BadInput : 1;
        }
    }

    private static string GeneratePassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
}
