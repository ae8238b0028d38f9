using System.CommandLine;
using Microsoft.Data.Sqlite;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Web.Security;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>orchestrator users …</c>: prompt-free creation, secrets printed once and stored only as hashes, clear
/// errors that change nothing.</summary>
public sealed class UsersCommandTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("orchestrator-cli-users-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(string? stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error) { Input = new StringReader(stdin ?? "") };
        var exitCode = await CliApp.Build(console).Parse([.. args, "--home", _home]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private async Task<UserAccounts> AccountsAsync()
    {
        var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_home, "orchestrator.db")), TimeProvider.System, default);
        return new UserAccounts(store.Users, TimeProvider.System);
    }

    [Fact]
    public async Task TheFirstAdmin_TakesItsPasswordFromStdin_AndOnlyTheHashIsStored()
    {
        var (code, output, error) = await RunAsync("s3cret password\n", "users", "create", "root", "--role", "admin", "--password-stdin");

        Assert.True(code == 0, error);
        Assert.Contains("user root created (admin)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", output, StringComparison.Ordinal);
        var accounts = await AccountsAsync();
        Assert.NotNull(await accounts.VerifyPasswordAsync("root", "s3cret password", default));
        Assert.Null(await accounts.VerifyPasswordAsync("root", "other password", default));
        Assert.DoesNotContain("s3cret", (await accounts.Store.GetAsync("root", default))!.PasswordHash!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutStdin_APasswordIsGenerated_AndPrintedOnce()
    {
        var (code, output, _) = await RunAsync(null, "users", "create", "ada", "--role", "operator");

        Assert.Equal(0, code);
        var password = output.Split('\n').Single(l => l.StartsWith("password: ", StringComparison.Ordinal))["password: ".Length..].Trim();
        Assert.NotNull(await (await AccountsAsync()).VerifyPasswordAsync("ada", password, default));

        var (_, list, _) = await RunAsync(null, "users", "list", "--output", "json");
        Assert.Contains("\"name\": \"ada\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain("AQAAAA", list, StringComparison.Ordinal); // Identity's v3 hash prefix
    }

    [Theory]
    [InlineData("bad name", "admin", "name 'bad name' may hold only")]
    [InlineData("ada", "root", "role must be one of viewer, operator, admin, not 'root'")]
    public async Task BadInput_IsExit2_AndCreatesNothing(string name, string role, string message)
    {
        var (code, _, error) = await RunAsync("long enough password\n", "users", "create", name, "--role", role, "--password-stdin");

        Assert.Equal(2, code);
        Assert.StartsWith("error: " + message, error, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("short\n", "users", "create", "ada", "--password-stdin")).ExitCode);
        var (_, list, _) = await RunAsync(null, "users", "list", "--output", "json");
        Assert.Equal("[]", list.Trim());
    }

    [Fact]
    public async Task ATokenIsPrintedOnce_WorksUntilRevoked_AndDiesWithItsUser()
    {
        await RunAsync("long enough password\n", "users", "create", "ci", "--password-stdin");

        var (code, output, error) = await RunAsync(null, "users", "token", "create", "ci", "--token-name", "nightly");
        Assert.Equal(0, code);
        var token = output.Trim();
        Assert.StartsWith("orch_", token, StringComparison.Ordinal);
        var accounts = await AccountsAsync();
        var found = await accounts.AuthenticateTokenAsync(token, default);
        Assert.Equal(("ci", "nightly"), (found!.Value.User.Name, found.Value.Token.Name));
        Assert.Contains(found.Value.Token.Id, error, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync(null, "users", "token", "revoke", found.Value.Token.Id)).ExitCode);
        Assert.Null(await accounts.AuthenticateTokenAsync(token, default));
        var again = await RunAsync(null, "users", "token", "revoke", found.Value.Token.Id);
        Assert.Equal((1, $"error: no usable token '{found.Value.Token.Id}' (unknown or already revoked)"), (again.ExitCode, again.Error.Trim()));

        Assert.Equal(1, (await RunAsync(null, "users", "token", "create", "nobody")).ExitCode);
        Assert.Equal(0, (await RunAsync(null, "users", "delete", "ci")).ExitCode);
        Assert.Equal(1, (await RunAsync(null, "users", "delete", "ci")).ExitCode);
    }
}
