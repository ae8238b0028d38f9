namespace Orchestrator.Application;

/// <summary>Who asks for a change: a signed-in user, a token's owner, or the CLI's operating-system user. Recorded in
/// the reason of every state change it causes ("cleared by alice").</summary>
public sealed record Actor(string Name)
{
    /// <summary>The CLI acting on the store directly: the operating-system user.</summary>
    public static Actor Cli { get; } = new($"cli:{Environment.UserName}");
}
