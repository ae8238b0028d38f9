using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Orchestrator.Application;
using Orchestrator.Application.Queries.Ml;
using Orchestrator.Cli.Hosting;
using Orchestrator.Cli.Output;
using Orchestrator.Storage.Ml;
using Orchestrator.Storage.Records;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>models list|versions|alias set|alias history|drift</c> (drift: see <see cref="ModelsDriftCommand"/>): the model registry in the metadata store. A rollback
/// is <c>models alias set NAME production PREVIOUS_VERSION</c>: the move is recorded like any deploy, with the OS user
/// as the mover. Exit codes: 0 done, 1 unknown model or version, 2 bad arguments.
/// JSON shapes (<c>--output json</c>, camelCase, times ISO 8601):
/// <list type="bullet">
/// <item><c>list</c>: <c>[{name, description, tags{}, latestVersion, aliases{alias: version}, createdAt, updatedAt}]</c></item>
/// <item><c>versions</c>: <c>[{name, version, aliases[], description, tags{}, artifactDigest, datasetDigest, trackingRunId,
/// params, metrics, signature, createdAt, createdBy{dagId, runId, taskId, tryNumber}}]</c>, newest first (params,
/// metrics and signature as the JSON they were registered with)</item>
/// <item><c>alias set</c>: <c>{name, alias, moved, fromVersion, toVersion, movedAt, movedBy, reason}</c></item>
/// <item><c>alias history</c>: <c>[{name, alias, fromVersion, toVersion, movedAt, movedBy, reason}]</c>, newest first
/// (<c>fromVersion</c> null: newly set; <c>toVersion</c> null: deleted)</item>
/// </list></summary>
internal static class ModelsCommand
{
    public const int Unknown = 1;
    public const int BadInput = 2;

    public static Command Create(CliConsole console)
    {
        var command = new Command("models", "Registered models: versions with their lineage, and aliases (production, champion, …) with their history.");
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Versions(console));
        var alias = new Command("alias", "Move an alias (deploy, rollback) and show its history.");
        alias.Subcommands.Add(AliasSet(console));
        alias.Subcommands.Add(AliasHistory(console));
        command.Subcommands.Add(alias);
        command.Subcommands.Add(ModelsDriftCommand.Create(console));
        return command;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The registered model's name (see `models list`)." };

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "List registered models with their latest version and aliases.");
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var store = await MetadataStores.OpenAsync(parse, cancellationToken);
            var models = await store.Models.ListModelsAsync(cancellationToken);
            var latest = new Dictionary<string, int?>(StringComparer.Ordinal);
            foreach (var model in models)
            {
                var versions = await store.Models.ListVersionsAsync(model.Name, cancellationToken);
                latest[model.Name] = versions.Count > 0 ? versions[0].Version : null;
            }

            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(models.Select(model => new
                {
                    name = model.Name,
                    description = model.Description,
                    tags = model.Tags,
                    latestVersion = latest[model.Name],
                    aliases = model.Aliases,
                    createdAt = model.CreatedAt,
                    updatedAt = model.UpdatedAt,
                }), MlJson.Options));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{models.Count} model(s)");
            table.AddColumns("name", "latest", "aliases", "updated", "description");
            foreach (var model in models)
            {
                table.AddRow(
                    Markup.Escape(model.Name), latest[model.Name]?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    Markup.Escape(string.Join(", ", model.Aliases.Select(pair => $"{pair.Key}→{pair.Value}"))), $"{model.UpdatedAt:u}",
                    Markup.Escape(MlCli.Printable(model.Description ?? "")));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Versions(CliConsole console)
    {
        var name = NameArgument();
        var command = new Command("versions", "List a model's versions, newest first, with their lineage (DAG run, task try, dataset, metrics, artifact).");
        command.Arguments.Add(name);
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var modelName = parse.GetValue(name)!;
            if (MlNames.ModelNameProblem(modelName) is { } problem)
            {
                return await MlCli.FailAsync(console, BadInput, problem);
            }

            await using var store = await MetadataStores.OpenAsync(parse, cancellationToken);
            if (await store.Models.GetModelAsync(modelName, cancellationToken) is not { } model)
            {
                return await MlCli.FailAsync(console, Unknown, $"no model '{modelName}' (see `models list`)");
            }

            var versions = await store.Models.ListVersionsAsync(modelName, cancellationToken);
            var aliasesOf = model.Aliases.ToLookup(pair => pair.Value, pair => pair.Key);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(versions.Select(version => new
                {
                    name = version.Name,
                    version = version.Version,
                    aliases = aliasesOf[version.Version].Order(StringComparer.Ordinal).ToArray(),
                    description = version.Description,
                    tags = version.Tags,
                    artifactDigest = version.ArtifactDigest,
                    datasetDigest = version.DatasetDigest,
                    trackingRunId = version.TrackingRunId,
                    @params = MlJson.Embed(version.ParamsJson),
                    metrics = MlJson.Embed(version.MetricsJson),
                    signature = MlJson.Embed(version.SignatureJson),
                    createdAt = version.CreatedAt,
                    createdBy = MlJson.Lineage(version.CreatedBy),
                }), MlJson.Options));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(modelName)}: {versions.Count} version(s)");
            table.AddColumns("version", "aliases", "created");
            table.AddColumn(new TableColumn("registered by").NoWrap());
            table.AddColumns("dataset", "metrics", "artifact");
            foreach (var version in versions)
            {
                table.AddRow(
                    version.Version.ToString(CultureInfo.InvariantCulture), Markup.Escape(string.Join(", ", aliasesOf[version.Version].Order(StringComparer.Ordinal))),
                    $"{version.CreatedAt:u}", Markup.Escape(MlCli.Describe(version.CreatedBy)), MlCli.Short(version.DatasetDigest),
                    Markup.Escape(MlCli.CompactJson(version.MetricsJson)), MlCli.Short(version.ArtifactDigest));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command AliasSet(CliConsole console)
    {
        var name = NameArgument();
        var alias = new Argument<string>("alias") { Description = "The alias, e.g. production or champion." };
        var version = new Argument<string>("version") { Description = "The version the alias will point at (a rollback names the previous one)." };
        var reason = new Option<string?>("--reason") { Description = "Why, kept in the alias history." };
        var command = new Command("set", "Point an alias at a version (a deploy or a rollback); the move is recorded with you as the mover.");
        command.Arguments.Add(name);
        command.Arguments.Add(alias);
        command.Arguments.Add(version);
        command.Options.Add(reason);
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (modelName, aliasName, versionText) = (parse.GetValue(name)!, parse.GetValue(alias)!, parse.GetValue(version)!);
            if ((MlNames.ModelNameProblem(modelName) ?? MlNames.AliasProblem(aliasName)) is { } problem)
            {
                return await MlCli.FailAsync(console, BadInput, problem);
            }

            if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                return await MlCli.FailAsync(console, BadInput, $"version '{versionText}' is not a version number (1, 2, …; see `models versions {modelName}`)");
            }

            // Checked before the store is opened, so bad input creates nothing; the rules are the application layer's.
            if (AliasMoveRules.Problem(modelName, aliasName, number, parse.GetValue(reason)) is { } refused)
            {
                return await MlCli.FailAsync(console, BadInput, refused.Field == "reason" ? $"--{refused.Message}" : refused.Message);
            }

            await using var store = await MetadataStores.OpenAsync(parse, cancellationToken);
            var mover = MlCli.Mover();
            AliasMoveRecord? move;
            try
            {
                // The move (unknown model or version, no-op moves, the mover) is the application layer's, shared with the REST API.
                var result = await MlQueriesServiceCollectionExtensions.AliasCommands(store.Models, TimeProvider.System)
                    .MoveAsync(modelName, aliasName, number, parse.GetValue(reason), new Actor(mover), cancellationToken);
                move = result.Moved ? new AliasMoveRecord(modelName, aliasName, result.Entry.PreviousVersion, result.Entry.Version, result.Entry.At, result.Entry.By, result.Entry.Reason) : null;
            }
            catch (ApplicationProblemException missing) when (missing.Kind == ProblemKind.NotFound)
            {
                return await MlCli.FailAsync(console, Unknown, $"{missing.Message} (see `models {(missing.Message.StartsWith("no model", StringComparison.Ordinal) ? "list" : $"versions {modelName}")}`); nothing changed");
            }

            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    name = modelName,
                    alias = aliasName,
                    moved = move is not null,
                    fromVersion = move is null ? number : move.FromVersion,
                    toVersion = number,
                    movedAt = move?.MovedAt,
                    movedBy = move?.MovedBy,
                    reason = move?.Reason,
                }, MlJson.Options));
                return 0;
            }

            await console.Output.WriteLineAsync(move is null
                ? $"{modelName}@{aliasName} already points at version {number}; nothing recorded"
                : $"{modelName}@{aliasName}: {(move.FromVersion is { } from ? $"version {from} → " : "set to ")}version {number} (by {mover})");
            return 0;
        });
        return command;
    }

    private static Command AliasHistory(CliConsole console)
    {
        var name = NameArgument();
        var aliasOption = new Option<string?>("--alias") { Description = "Only the moves of this alias." };
        var command = new Command("history", "Every move of the model's aliases, newest first: from which version to which, when, by whom, why.");
        command.Arguments.Add(name);
        command.Options.Add(aliasOption);
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (modelName, aliasName) = (parse.GetValue(name)!, parse.GetValue(aliasOption));
            if ((MlNames.ModelNameProblem(modelName) ?? (aliasName is null ? null : MlNames.AliasProblem(aliasName))) is { } problem)
            {
                return await MlCli.FailAsync(console, BadInput, problem);
            }

            await using var store = await MetadataStores.OpenAsync(parse, cancellationToken);
            if (await store.Models.GetModelAsync(modelName, cancellationToken) is null)
            {
                return await MlCli.FailAsync(console, Unknown, $"no model '{modelName}' (see `models list`)");
            }

            var moves = await store.Models.AliasHistoryAsync(modelName, aliasName, cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(moves.Select(move => new
                {
                    name = move.Name,
                    alias = move.Alias,
                    fromVersion = move.FromVersion,
                    toVersion = move.ToVersion,
                    movedAt = move.MovedAt,
                    movedBy = move.MovedBy,
                    reason = move.Reason,
                }), MlJson.Options));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(modelName)}: {moves.Count} alias move(s)");
            table.AddColumns("moved", "alias", "from", "to", "by", "reason");
            foreach (var move in moves)
            {
                table.AddRow(
                    $"{move.MovedAt:u}", Markup.Escape(move.Alias), move.FromVersion?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    move.ToVersion?.ToString(CultureInfo.InvariantCulture) ?? "(deleted)", Markup.Escape(MlCli.Printable(move.MovedBy)), Markup.Escape(MlCli.Printable(move.Reason ?? "")));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }
}

/// <summary>What the models and experiments commands share: errors, the mover's name, and short renderings.</summary>
internal static class MlCli
{
    public static async Task<int> FailAsync(CliConsole console, int exitCode, string message)
    {
        await console.Error.WriteLineAsync($"error: {message}");
        return exitCode;
    }

    /// <summary>Who moves an alias from the command line: the OS user (the CLI has no login yet).</summary>
    public static string Mover() => $"user:{Environment.UserName}";

    public static string Describe(RunLineage lineage) =>
        lineage.DagId is null && lineage.RunId is null
            ? "-"
            : $"{lineage.DagId}/{lineage.RunId}/{lineage.TaskId}{(lineage.TryNumber is { } tryNumber ? $"#{tryNumber}" : "")}";

    /// <summary>Text stored by someone else (a reason, a description), with control characters shown as '?', so a stored
    /// escape sequence cannot drive the reader's terminal.</summary>
    public static string Printable(string text) =>
        text.Any(char.IsControl) ? new string([.. text.Select(c => char.IsControl(c) ? '?' : c)]) : text;

    /// <summary>The first 12 hex characters of a digest, as git shortens commits.</summary>
    public static string Short(string? digest) => digest is null ? "-" : digest[..Math.Min(12, digest.Length)];

    /// <summary>A flat JSON object as <c>key=value</c> pairs (numbers to 4 significant digits); other JSON as is.</summary>
    public static string CompactJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return json;
            }

            var text = new StringBuilder();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                text.Append(text.Length == 0 ? "" : " ").Append(property.Name).Append('=').Append(property.Value.ValueKind == JsonValueKind.Number
                    ? property.Value.GetDouble().ToString("G4", CultureInfo.InvariantCulture)
                    : property.Value.ToString());
            }

            return text.ToString();
        }
        catch (JsonException)
        {
            return json;
        }
    }
}

/// <summary>JSON output of the ML commands: the CLI's usual options, and NaN metrics written as "NaN".</summary>
internal static class MlJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonOutput.Options)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Stored JSON text embedded as JSON (not as a string); text that is not JSON stays a string.</summary>
    public static object Embed(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<JsonElement>(json);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    public static object Lineage(RunLineage lineage) => new
    {
        dagId = lineage.DagId,
        runId = lineage.RunId,
        taskId = lineage.TaskId,
        tryNumber = lineage.TryNumber,
    };
}
