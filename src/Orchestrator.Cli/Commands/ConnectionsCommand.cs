using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli.Hosting;
using Orchestrator.Cli.Output;
using Orchestrator.Core.Secrets;
using Orchestrator.Secrets.Connections;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Masking;
using Orchestrator.Secrets.Naming;
using Orchestrator.Secrets.Services;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>connections add|get|list|delete</c>: Airflow's Connections, encrypted whole in the metadata store.
/// Passwords (and extra values under sensitive names) are shown as <c>***</c> unless <c>get --reveal</c> is given.</summary>
internal static class ConnectionsCommand
{
    private static readonly JsonSerializerOptions CompactJson = new(JsonOutput.Options) { WriteIndented = false };

    public static Command Create(CliConsole console)
    {
        var command = new Command("connections", "Connections: how to reach a system and with which credentials (encrypted at rest); templates read {{ conn.NAME.password }}.");
        command.Subcommands.Add(Add(console));
        command.Subcommands.Add(Get(console));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Delete(console));
        return command;
    }

    private static Argument<string> Name() => new("name") { Description = "The connection's name: letters, digits, '_', '.' and '-'." };

    private static Command Add(CliConsole console)
    {
        var name = Name();
        var type = new Option<string?>("--type") { Description = "The connection type (postgres, http, s3, …)." };
        var host = new Option<string?>("--host") { Description = "Host name or address." };
        var port = new Option<int?>("--port")
        {
            Description = "Port, 1-65535.",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }

                result.AddError($"--port '{text}' is not a number: expected a port, 1-65535");
                return null;
            },
        };
        var login = new Option<string?>("--login") { Description = "User name." };
        var password = new Option<string?>("--password") { Description = "Password (stored encrypted; masked as *** in task logs)." };
        var schema = new Option<string?>("--schema") { Description = "Schema or database." };
        var extra = new Option<string?>("--extra") { Description = "More fields, as a JSON object of strings: '{\"sslmode\": \"require\"}'." };
        var uri = new Option<string?>("--uri") { Description = "All fields as one URI, as in Airflow: type://login:password@host:port/schema?key=value (percent-encoded)." };
        var command = new Command("add", "Add a connection (a name already in use is refused: delete it first).");
        command.Arguments.Add(name);
        foreach (var option in (Option[])[type, host, port, login, password, schema, extra, uri])
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => SecretCommands.RunAsync(console, parse.GetValue(name), async () =>
        {
            ConnectionValues connection;
            try
            {
                connection = Read(parse, type, host, port, login, password, schema, extra, uri);
            }
            catch (FormatException exception)
            {
                await console.Error.WriteLineAsync($"error: {exception.Message}");
                return SecretCommands.BadInput;
            }

            if (ConnectionRules.Problem(connection) is { } problem)
            {
                await console.Error.WriteLineAsync($"error: {problem}");
                return SecretCommands.BadInput;
            }

            await using var cli = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            if (!await cli.Get<ConnectionService>().AddAsync(parse.GetValue(name)!, connection, cancellationToken))
            {
                await console.Error.WriteLineAsync($"error: connection '{parse.GetValue(name)}' already exists (delete it first to replace it)");
                return 1;
            }

            await console.Output.WriteLineAsync($"connection {parse.GetValue(name)} added");
            return 0;
        }, field: "connection name"));
        return command;
    }

    private static ConnectionValues Read(ParseResult parse, Option<string?> type, Option<string?> host, Option<int?> port, Option<string?> login,
        Option<string?> password, Option<string?> schema, Option<string?> extra, Option<string?> uri)
    {
        if (parse.GetValue(uri) is { } text)
        {
            var given = ((Option[])[type, host, port, login, password, schema, extra]).Where(option => parse.GetResult(option) is not null).Select(option => option.Name).ToList();
            if (given.Count > 0)
            {
                throw new FormatException($"--uri holds every field: it cannot be combined with {string.Join(", ", given)}");
            }

            return ConnectionUri.Parse(text);
        }

        if (string.IsNullOrWhiteSpace(parse.GetValue(type)))
        {
            throw new FormatException("--type is required (or give every field at once with --uri)");
        }

        return new ConnectionValues(parse.GetValue(type)!, parse.GetValue(host), parse.GetValue(port), parse.GetValue(login), parse.GetValue(password),
            parse.GetValue(schema), parse.GetValue(extra) is { } json ? ConnectionRules.ParseExtra(json) : null);
    }

    private static Command Get(CliConsole console)
    {
        var name = Name();
        var reveal = new Option<bool>("--reveal") { Description = "Show the password and sensitive extra values instead of ***." };
        var command = new Command("get", "Show a connection (password as *** unless --reveal).");
        command.Arguments.Add(name);
        command.Options.Add(reveal);
        command.Options.Add(CommonOptions.Output);
        command.SetAction((parse, cancellationToken) => SecretCommands.RunAsync(console, parse.GetValue(name), async () =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var store = host.Store;
            var connection = await host.Get<ConnectionService>().GetAsync(parse.GetValue(name)!, cancellationToken);
            if (connection is null)
            {
                await console.Error.WriteLineAsync($"error: no connection '{parse.GetValue(name)}' (see `connections list`)");
                return 1;
            }

            var shown = parse.GetValue(reveal) ? connection : Hide(connection);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(Json(parse.GetValue(name)!, shown), JsonOutput.Options));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(parse.GetValue(name)!));
            table.AddColumns("field", "value");
            foreach (var (field, value) in Fields(shown))
            {
                table.AddRow(field, Markup.Escape(value ?? ""));
            }

            console.Out.Write(table);
            return 0;
        }, field: "connection name"));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "List connections (no passwords).");
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var store = host.Store;
            var service = host.Get<ConnectionService>();
            var records = await service.ListAsync(cancellationToken);
            var rows = new List<(string Name, string Type, DateTimeOffset UpdatedAt, ConnectionValues? Values, string? Error)>();
            foreach (var record in records)
            {
                try
                {
                    rows.Add((record.Name, record.Type, record.UpdatedAt, Hide(service.Open(record)), null));
                }
                catch (Exception exception) when (exception is SecretDecryptionException or Orchestrator.Secrets.Keys.SecretKeyException)
                {
                    rows.Add((record.Name, record.Type, record.UpdatedAt, null, exception.Message));
                }
            }

            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(rows.Select(row => row.Values is { } values
                    ? Json(row.Name, values, row.UpdatedAt)
                    : new Dictionary<string, object?> { ["name"] = row.Name, ["type"] = row.Type, ["updatedAt"] = row.UpdatedAt, ["error"] = row.Error }), JsonOutput.Options));
            }
            else
            {
                var table = new Table().Border(TableBorder.Rounded).Title($"{rows.Count} connection(s)");
                table.AddColumns("name", "type", "host", "port", "login", "schema", "updated");
                foreach (var row in rows)
                {
                    var v = row.Values;
                    table.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Type), Markup.Escape(v?.Host ?? (row.Error is null ? "" : "(cannot decrypt)")),
                        $"{v?.Port}", Markup.Escape(v?.Login ?? ""), Markup.Escape(v?.Schema ?? ""), $"{row.UpdatedAt:u}");
                }

                console.Out.Write(table);
            }

            foreach (var row in rows.Where(row => row.Error is not null))
            {
                await console.Error.WriteLineAsync($"error: {row.Error}");
            }

            return rows.Any(row => row.Error is not null) ? 1 : 0;
        });
        return command;
    }

    private static Command Delete(CliConsole console)
    {
        var name = Name();
        var command = new Command("delete", "Delete a connection.");
        command.Arguments.Add(name);
        command.SetAction((parse, cancellationToken) => SecretCommands.RunAsync(console, parse.GetValue(name), async () =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var store = host.Store;
            var deleted = await store.Connections.DeleteAsync(parse.GetValue(name)!, cancellationToken);
            await (deleted
                ? console.Output.WriteLineAsync($"connection {parse.GetValue(name)} deleted")
                : console.Error.WriteLineAsync($"error: no connection '{parse.GetValue(name)}' (see `connections list`)"));
            return deleted ? 0 : 1;
        }, field: "connection name"));
        return command;
    }

    /// <summary>The connection as shown without --reveal: the password and extra values under sensitive names as ***.</summary>
    private static ConnectionValues Hide(ConnectionValues connection)
    {
        var names = SensitiveNames.FromEnvironment();
        return connection with
        {
            Password = connection.Password is null ? null : SecretMasker.Replacement,
            Extra = connection.Extra?.ToDictionary(pair => pair.Key, pair => names.IsSensitive(pair.Key) ? SecretMasker.Replacement : pair.Value, StringComparer.Ordinal),
        };
    }

    private static IEnumerable<(string Field, string? Value)> Fields(ConnectionValues connection) =>
    [
        ("type", connection.Type), ("host", connection.Host), ("port", connection.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("login", connection.Login), ("password", connection.Password), ("schema", connection.Schema),
        ("extra", connection.Extra is null ? null : JsonSerializer.Serialize(connection.Extra, CompactJson)),
    ];

    private static Dictionary<string, object?> Json(string name, ConnectionValues connection, DateTimeOffset? updatedAt = null)
    {
        var json = new Dictionary<string, object?>
        {
            ["name"] = name, ["type"] = connection.Type, ["host"] = connection.Host, ["port"] = connection.Port, ["login"] = connection.Login,
            ["password"] = connection.Password, ["schema"] = connection.Schema, ["extra"] = connection.Extra,
        };
        if (updatedAt is { } at)
        {
            json["updatedAt"] = at;
            json.Remove("password"); // a listing never carries passwords, not even as ***
        }

        return json;
    }
}
