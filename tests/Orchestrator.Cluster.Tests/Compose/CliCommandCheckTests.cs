namespace Orchestrator.Cluster.Tests.Compose;

/// <summary>The check the compose test applies to every service's command, on commands that exist today: it accepts
/// a real command with real options and names what is wrong otherwise.</summary>
public sealed class CliCommandCheckTests
{
    [Fact]
    public async Task ARealCommandWithItsOptions_Passes()
    {
        Assert.Null(await CliCommandCheck.ProblemAsync(["standalone", "--host", "*", "--port", "8080", "--workers", "2"]));
        Assert.Null(await CliCommandCheck.ProblemAsync(["dags", "trigger"]));
    }

    [Fact]
    public async Task AnUnknownCommand_OrOption_IsNamed()
    {
        Assert.Contains("no command `no-such-role`", await CliCommandCheck.ProblemAsync(["no-such-role"]), StringComparison.Ordinal);
        Assert.Contains("no command `dags nonsense`", await CliCommandCheck.ProblemAsync(["dags", "nonsense"]), StringComparison.Ordinal);
        Assert.Contains("no option --bogus", await CliCommandCheck.ProblemAsync(["standalone", "--bogus", "1"]), StringComparison.Ordinal);
    }
}
