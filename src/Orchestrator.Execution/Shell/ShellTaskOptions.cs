namespace Orchestrator.Execution.Shell;

/// <summary>What an operator configures for shell tasks (an Options type: <c>services.Configure/// <summary>What an operator configures for shell tasks.</summary>lt;ShellTaskOptions/// <summary>What an operator configures for shell tasks.</summary>gt;(…)</c>).</summary>
public sealed class ShellTaskOptions
{
    /// <summary>The environment variable an operator lists engine variables in, comma-separated: names
    /// (<c>AWS_REGION</c>) or prefixes ending in '*' (<c>AWS_*</c>).</summary>
    public const string AllowListVariable = "ORCHESTRATOR_TASK_ENV_ALLOW";

    /// <summary>Names or prefix patterns (<c>PREFIX_*</c>) of the engine's variables a task may see besides the
    /// clean defaults. Never matches the engine's own <c>ORCHESTRATOR_*</c> configuration.</summary>
    public IReadOnlyList<string> AllowedEnvironment { get; set; } = [];

    /// <summary>Options from <see cref="AllowListVariable"/> (the given text, or the process's variable).</summary>
    public static ShellTaskOptions FromEnvironment(string? allowList = null)
    {
        allowList ??= Environment.GetEnvironmentVariable(AllowListVariable);
        return new ShellTaskOptions
        {
            AllowedEnvironment = (allowList ?? "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
    }

    /// <summary>Whether the engine's variable <paramref name="name"/> may reach a task.</summary>
    public bool Allows(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // The engine's configuration (home, storage connection string, keys) is never a task's business.
        if (name.StartsWith("ORCHESTRATOR_", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return AllowedEnvironment.Any(pattern => pattern.EndsWith('*')
            ? name.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(name, pattern, StringComparison.Ordinal));
    }
}
