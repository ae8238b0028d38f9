using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary>Options every command takes (DESIGN.md's CLI contract).</summary>
internal static class CommonOptions
{
    public static Option<string> Dags { get; } = new("--dags")
    {
        Description = "The DAG folder (default ./dags, or $ORCHESTRATOR_DAGS).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORCHESTRATOR_DAGS") is { Length: > 0 } dags ? dags : "./dags",
        Recursive = true,
    };

    public static Option<string> Home { get; } = new("--home")
    {
        Description = "The home folder for state (default ./.orchestrator, or $ORCHESTRATOR_HOME).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORCHESTRATOR_HOME") is { Length: > 0 } home ? home : "./.orchestrator",
        Recursive = true,
    };

    // No DefaultValueFactory: --help prints a factory's value, and this one holds the database password.
    public static Option<string?> Storage { get; } = new("--storage")
    {
        Description = "The metadata store: sqlite:PATH or a PostgreSQL connection string (default $ORCHESTRATOR_STORAGE, else SQLite in the home).",
        Recursive = true,
    };

    /// <summary>--storage, else $ORCHESTRATOR_STORAGE, else null (SQLite in the home).</summary>
    public static string? StorageOf(ParseResult parse) =>
        parse.GetValue(Storage) ?? (Environment.GetEnvironmentVariable("ORCHESTRATOR_STORAGE") is { Length: > 0 } storage ? storage : null);

    public static Option<OutputFormat> Output { get; } = new("--output", "-o")
    {
        Description = "Output format: table or json.",
        DefaultValueFactory = _ => OutputFormat.Table,
    };
}

internal enum OutputFormat
{
    Table,
    Json,
}
