using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace Orchestrator.Benchmarks.HangfirePostgres;

/// <summary>The Hangfire.PostgreSql 1.21 option sets the baseline is measured with, by name (the name travels to the
/// worker processes on their command line, so client and workers always agree).</summary>
internal static class HangfirePgOptionSets
{
    /// <summary>Every set, in the order the bench runs them.</summary>
    public static readonly IReadOnlyList<string> Names = ["default", "longpoll", "longpoll-5ms"];

    public static string Describe(string name) => name switch
    {
        "default" => "package defaults: QueuePollInterval 15 s, no long polling, InvisibilityTimeout 30 min",
        "longpoll" => "EnableLongPolling (LISTEN/NOTIFY new_job), QueuePollInterval 50 ms (the minimum without AllowUnsafeValues)",
        "longpoll-5ms" => "EnableLongPolling, QueuePollInterval 5 ms with AllowUnsafeValues",
        _ => throw Unknown(name),
    };

    /// <summary>A storage on <paramref name="connectionString"/> with the named option set (installs the schema if
    /// missing).</summary>
    public static PostgreSqlStorage CreateStorage(string connectionString, string name)
    {
        var options = Create(name);
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    public static PostgreSqlStorageOptions Create(string name)
    {
        // Hangfire's tables live in their own schema, as in the product (DESIGN: schema "hangfire").
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true };
        switch (name)
        {
            case "default":
                break;
            case "longpoll":
                options.EnableLongPolling = true;
                options.QueuePollInterval = TimeSpan.FromMilliseconds(50);
                break;
            case "longpoll-5ms":
                options.EnableLongPolling = true;
                options.AllowUnsafeValues = true;
                options.QueuePollInterval = TimeSpan.FromMilliseconds(5);
                break;
            default:
                throw Unknown(name);
        }

        return options;
    }

    private static ArgumentException Unknown(string name) =>
        new($"unknown Hangfire.PostgreSql option set '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name));
}
