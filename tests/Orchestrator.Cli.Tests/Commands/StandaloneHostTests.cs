using System.Globalization;
using Orchestrator.Cli.Commands;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>standalone --host</c>: which addresses it accepts, the error for others, and a real process listening
/// on every interface with a warning that nothing served is authenticated.</summary>
public sealed class StandaloneHostTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-host-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData("localhost", "http://localhost:8080")]
    [InlineData("*", "http://*:8080")]
    [InlineData("+", "http://+:8080")]
    [InlineData("0.0.0.0", "http://0.0.0.0:8080")]
    [InlineData("127.0.0.1", "http://127.0.0.1:8080")]
    [InlineData("10.0.0.5", "http://10.0.0.5:8080")]
    [InlineData("::", "http://[::]:8080")]
    [InlineData("::1", "http://[::1]:8080")]
    [InlineData("[::1]", "http://[::1]:8080")]
    [InlineData("fe80::1", "http://[fe80::1]:8080")]
    public void AcceptedHosts_BecomeTheListenUrl(string host, string url) =>
        Assert.Equal(url, WebServerOptions.ListenUrl(host, 8080));

    [Theory]
    [InlineData("")]
    [InlineData("example.com")]
    [InlineData("LOCALHOST ")]
    [InlineData("1")]
    [InlineData("10.1")]
    [InlineData("256.1.1.1")]
    [InlineData("0.0.0.0:80")]
    [InlineData("http://0.0.0.0")]
    [InlineData("[10.0.0.5]")]
    [InlineData("[::1")]
    public void OtherHosts_AreRefused(string host) =>
        Assert.Null(WebServerOptions.ListenUrl(host, 8080));

    [Fact]
    public async Task BadHost_ExitsTwo_NamingTheOptionAndWhatIsExpected_AndOpensNothing()
    {
        var home = Path.Combine(_root, "home");

        var (exit, _, error) = await CliRunner.RunAsync("standalone", "--host", "my-box", "--dags", CliRunner.RepoDags, "--home", home);

        Assert.Equal(2, exit);
        Assert.Contains("error: --host 'my-box' must be localhost, * (every interface) or an IP address such as 0.0.0.0, 127.0.0.1 or ::", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(home));
    }

    [Fact]
    public async Task Help_ListsHost_WithItsDefaultAndTheWarning()
    {
        var (exit, output, _) = await CliRunner.RunAsync("standalone", "--help");

        Assert.Equal(0, exit);
        Assert.Contains("--host", output, StringComparison.Ordinal);
        Assert.Contains("localhost", output, StringComparison.Ordinal);
        Assert.Contains("sign in", output, StringComparison.Ordinal);
        Assert.Contains("--require-login", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryInterface_ServesHealthToAnyone_ButTheApiOnlyToSignedInUsers()
    {
        var dags = Directory.CreateDirectory(Path.Combine(_root, "dags")).FullName;
        var port = StandaloneProcess.FreePort();
        var process = StandaloneProcess.Start(dags, Path.Combine(_root, "home"), port, ["--host", "0.0.0.0"]);
        try
        {
            var log = StandaloneProcess.Capture(process);
            await StandaloneProcess.WaitHealthyAsync(port, log);
            using var http = new HttpClient();
            Assert.Contains("healthy", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/health")), StringComparison.Ordinal);
            // Listening beyond loopback turns the automatic sign-in off, even for requests from this machine.
            using var api = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/api/v1/dags"));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, api.StatusCode);
            var at = port.ToString(CultureInfo.InvariantCulture);
            await StandaloneProcess.EventuallyAsync(() =>
            {
                lock (log)
                {
                    var text = log.ToString();
                    return Task.FromResult(text.Contains($"listening on http://0.0.0.0:{at}", StringComparison.Ordinal)
                        && text.Contains("Sign-in required", StringComparison.Ordinal) ? text : null);
                }
            }, seconds: 30);
        }
        finally
        {
            await StandaloneProcess.KillAllAsync(process);
        }
    }

    [Fact]
    public async Task KestrelConfiguredBeyondLoopback_TurnsTheAutomaticSignInOff()
    {
        // --host says localhost, but Kestrel's own configuration adds an address on every interface.
        var dags = Directory.CreateDirectory(Path.Combine(_root, "dags")).FullName;
        var port = StandaloneProcess.FreePort();
        var kestrelPort = StandaloneProcess.FreePort();
        var process = StandaloneProcess.Start(dags, Path.Combine(_root, "home"), port,
            ("Kestrel__Endpoints__Http__Url", $"http://0.0.0.0:{kestrelPort.ToString(CultureInfo.InvariantCulture)}"));
        try
        {
            var log = StandaloneProcess.Capture(process);
            await StandaloneProcess.WaitHealthyAsync(kestrelPort, log);
            using var http = new HttpClient();
            using var me = await http.GetAsync(new Uri($"http://127.0.0.1:{kestrelPort}/api/v1/me"));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, me.StatusCode);
            lock (log)
            {
                Assert.Contains("automatic sign-in is off after all", log.ToString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            await StandaloneProcess.KillAllAsync(process);
        }
    }
}
