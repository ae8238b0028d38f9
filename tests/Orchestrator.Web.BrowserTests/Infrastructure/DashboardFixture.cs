using System.Diagnostics;
using System.Text;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Orchestrator.Web.BrowserTests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class DashboardGroup : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}

/// <summary>One <c>orchestrator standalone --require-login</c> for the whole collection, on a temporary home and
/// dags folder, with users, a registered model of two versions (trained for real before the server starts), a DAG
/// that fails once, one that always fails, a DAG whose file changed between two runs, a slow chatty DAG, a broken
/// DAG file, and drift checks of the model whose drift event triggers another DAG; plus one headless Chromium. Each
/// test opens its own browser context.</summary>
public sealed class DashboardFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string AdminName = "ada";
    public const string OperatorName = "otto";
    public const string ViewerName = "vera";
    public const string Password = "correct horse battery staple";

    private static readonly TimeSpan CliLimit = TimeSpan.FromSeconds(90);
    private readonly string root = Directory.CreateTempSubdirectory("orch-browser-").FullName;
    private Process? server;
    private StringBuilder serverLog = new();
    private IPlaywright? playwright;

    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public string Screenshots { get; } = Environment.GetEnvironmentVariable("ORCHESTRATOR_SCREENSHOTS") is { Length: > 0 } dir
        ? Path.GetFullPath(dir)
        : Path.Combine(Directory.GetCurrentDirectory(), "TestResults", "screenshots");

    /// <summary>The run of <see cref="TestDags.Flaky"/> started before the server (its <c>flaky</c> task fails).</summary>
    public string FlakyRunId { get; private set; } = "";

    /// <summary>A run of <see cref="TestDags.FanOut"/> started before the server, for the graph and Gantt views.</summary>
    public string FanOutRunId { get; private set; } = "";

    /// <summary>A run of <see cref="TestDags.AlwaysFails"/> started before the server (boom fails, after never runs).</summary>
    public string AlwaysFailsRunId { get; private set; } = "";

    /// <summary>A run of <see cref="TestDags.DriftWatch"/> queued before the server: two drift checks, one drifted.</summary>
    public string DriftWatchRunId { get; private set; } = "";

    /// <summary>Runs of version 1 and version 2 of <see cref="TestDags.Versioned"/>, in that order.</summary>
    public IReadOnlyList<string> VersionedRunIds { get; private set; } = [];

    private string Dags => Path.Combine(root, "dags");

    private string Home => Path.Combine(root, "home");

    public async Task InitializeAsync()
    {
        var chromium = Chromium.ExecutablePath;
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException(
                $"Chromium not found at {chromium}: install Debian's chromium package (eng/test.sh does) or set ORCHESTRATOR_TEST_CHROMIUM to its path. " +
                "These tests never download a browser.");
        }

        Directory.CreateDirectory(Dags);
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Screenshots);
        diagnostics.OnMessage(new Xunit.Sdk.DiagnosticMessage($"browser test screenshots: {Screenshots}"));
        var sample = Path.Combine(root, "taxi-sample.csv");
        TestDags.WriteSample(sample, 2000);
        TestDags.Write(Dags, root, sample);

        string[] where = ["--dags", Dags, "--home", Home];
        // Two real trainings on the same home: the model gets versions 1 and 2 with their metrics.
        await OrchestratorProcess.RunAsync(null, CliLimit, ["dags", "test", TestDags.Retrain, "--conf", """{"seed": 1}""", .. where]);
        await OrchestratorProcess.RunAsync(null, CliLimit, ["dags", "test", TestDags.Retrain, "--conf", """{"seed": 2}""", .. where]);
        // Drift checks compare against the monitored alias; the run starts with the server, its drift event triggers a run.
        await OrchestratorProcess.RunAsync(null, CliLimit, ["models", "alias", "set", TestDags.Model, TestDags.MonitoredAlias, "1", "--reason", "watched for drift", .. where]);
        DriftWatchRunId = (await OrchestratorProcess.RunAsync(null, CliLimit, ["dags", "trigger", TestDags.DriftWatch, .. where])).Trim();
        await OrchestratorProcess.RunAsync(Password, CliLimit, ["users", "create", AdminName, "--role", "admin", "--password-stdin", .. where]);
        await OrchestratorProcess.RunAsync(Password, CliLimit, ["users", "create", OperatorName, "--role", "operator", "--password-stdin", .. where]);
        await OrchestratorProcess.RunAsync(Password, CliLimit, ["users", "create", ViewerName, "--role", "viewer", "--password-stdin", .. where]);
        FlakyRunId = (await OrchestratorProcess.RunAsync(null, CliLimit, ["dags", "trigger", TestDags.Flaky, .. where])).Trim();
        FanOutRunId = (await OrchestratorProcess.RunAsync(null, CliLimit, ["dags", "trigger", TestDags.FanOut, .. where])).Trim();

        AlwaysFailsRunId = (await OrchestratorProcess.RunAsync(null, CliLimit, ["dags", "trigger", TestDags.AlwaysFails, .. where])).Trim();
        // The DAG's file changes between two triggers: each run keeps the version its file had then.
        TestDags.WriteVersioned(Dags, 1);
        var first = (await OrchestratorProcess.RunAsync(null, CliLimit, ["dags", "trigger", TestDags.Versioned, .. where])).Trim();
        TestDags.WriteVersioned(Dags, 2);
        var second = (await OrchestratorProcess.RunAsync(null, CliLimit, ["dags", "trigger", TestDags.Versioned, .. where])).Trim();
        VersionedRunIds = [first, second];

        var port = OrchestratorProcess.FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        server = OrchestratorProcess.StartStandalone(Dags, Home, port, "--require-login", "--workers", "4");
        serverLog = OrchestratorProcess.Capture(server);
        await OrchestratorProcess.WaitHealthyAsync(server, port, serverLog, TimeSpan.FromSeconds(60));

        playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    /// <summary>A fresh browser context (own cookies) with a page on the server, not signed in.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>A fresh context signed in through the real form as <paramref name="user"/>, on the DAGs page.</summary>
    public async Task<IPage> SignedInPageAsync(string user)
    {
        var page = await NewPageAsync();
        await SignInAsync(page, user, Password);
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync(user);
        return page;
    }

    public static async Task SignInAsync(IPage page, string user, string password)
    {
        await page.GotoAsync("/login");
        await page.Locator("#userName").FillAsync(user);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    public async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    /// <summary>The server's output so far, for messages when the engine misbehaves.</summary>
    public string ServerLog()
    {
        lock (serverLog)
        {
            var text = serverLog.ToString();
            return text.Length > 6000 ? text[^6000..] : text;
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        if (server is { HasExited: false })
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        server?.Dispose();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying child process: the temp folder is cleaned by the OS later.
        }
    }
}
