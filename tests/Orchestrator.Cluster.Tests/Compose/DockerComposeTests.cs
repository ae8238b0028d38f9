using System.Diagnostics;
using Orchestrator.Cluster.Tests.Infrastructure.Processes;

namespace Orchestrator.Cluster.Tests.Compose;

/// <summary>docker-compose.yml as issue 12 asks for it: PostgreSQL with a health check and a volume, a one-shot
/// <c>db migrate</c> the roles wait for, two schedulers, two workers (one serving the training queue) and the web
/// server with a /health check, all configured by environment variables. No Docker engine runs here: the file is
/// parsed and checked, and <c>docker compose config</c> validates it where the plugin exists.</summary>
public sealed class DockerComposeTests(ITestOutputHelper output)
{
    private static readonly string Root = CliLocator.RepositoryRoot;
    private static readonly ComposeFile Compose = ComposeFile.Load(Path.Combine(Root, "docker-compose.yml"));

    private static IEnumerable<ComposeService> Roles => Compose.Services.Values.Where(s => s.Name != "postgres");

    [Fact]
    public void Postgres_Is15_WithAHealthCheck_AndItsDataOnANamedVolume()
    {
        var postgres = Compose.Services["postgres"];
        Assert.Equal("postgres:15", postgres.Image);
        Assert.StartsWith("CMD-SHELL pg_isready", postgres.HealthCheck, StringComparison.Ordinal);
        var data = Assert.Single(postgres.Volumes, v => v.Target == "/var/lib/postgresql/data");
        Assert.Contains(data.Source, Compose.NamedVolumes);
        Assert.Equal("orchestrator", postgres.Environment["POSTGRES_DB"]);
    }

    [Fact]
    public void Migrate_RunsOnce_WhenPostgresIsHealthy()
    {
        var migrate = Compose.Services["migrate"];
        Assert.Equal(["db", "migrate"], migrate.Command);
        Assert.Equal("no", migrate.Restart);
        Assert.Equal(new Dictionary<string, string> { ["postgres"] = "service_healthy" }, migrate.DependsOn);
    }

    [Fact]
    public void TwoSchedulers_TwoWorkers_OneServingTraining_AndTheWebserver_EachAfterMigrateSucceeded()
    {
        Assert.Equal(2, Roles.Count(s => Verb(s) == "scheduler"));
        var workers = Roles.Where(s => Verb(s) == "worker").ToList();
        Assert.Equal(2, workers.Count);
        Assert.Contains(workers, w => OptionValue(w, "--queues")?.Split(',') is { } queues && queues.Contains("training") && queues.Contains("default"));
        Assert.Single(Roles, s => Verb(s) == "webserver");
        Assert.All(Roles.Where(s => s.Name != "migrate"), role =>
            Assert.Equal(new Dictionary<string, string> { ["migrate"] = "service_completed_successfully" }, role.DependsOn));
    }

    [Fact]
    public void Webserver_PublishesPort8080_ListensBeyondLoopback_AndIsHealthCheckedOnHealth()
    {
        var web = Roles.Single(s => Verb(s) == "webserver");
        Assert.Contains("8080:8080", web.Ports);
        Assert.Equal("8080", OptionValue(web, "--port"));
        // Inside a container, loopback only would be unreachable from the published port.
        Assert.Equal("*", OptionValue(web, "--host"));
        Assert.Matches(@"^CMD curl --fail .*http://localhost:8080/health$", web.HealthCheck);
    }

    [Fact]
    public void EveryRole_IsConfiguredByEnvironment_OneDatabase_SecretKeyFromOutside_SharedHome_DagsMounted()
    {
        Assert.All(Roles, role =>
        {
            var environment = role.Environment;
            Assert.Equal("docker/Dockerfile", role.Dockerfile);
            Assert.Matches("^Host=postgres;Port=5432;Username=orchestrator;Password=[^;]+;Database=orchestrator$", environment["ORCHESTRATOR_STORAGE"]);
            // Never a literal key in the file: compose takes it from .env or the caller's environment, and refuses to start without it.
            Assert.StartsWith("${ORCHESTRATOR_SECRET_KEY:?", environment["ORCHESTRATOR_SECRET_KEY"], StringComparison.Ordinal);
            var home = Assert.Single(role.Volumes, v => v.Target == environment["ORCHESTRATOR_HOME"]);
            Assert.Contains(home.Source, Compose.NamedVolumes);
            Assert.Contains(role.Volumes, v => v.Source == "./dags" && v.Target == environment["ORCHESTRATOR_DAGS"]);
        });
        Assert.Single(Roles.Select(r => r.Environment["ORCHESTRATOR_STORAGE"]).Distinct());
    }

    [Fact]
    public void Dockerfile_BuildsWithTheSdk_RunsOnAspNet_WithTheCliAsEntrypoint()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(Root, "docker", "Dockerfile"));
        var stages = dockerfile.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", "FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime"], stages);
        Assert.Contains(dockerfile, l => l.StartsWith("RUN dotnet publish src/Orchestrator.Cli/Orchestrator.Cli.csproj -c Release", StringComparison.Ordinal));
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/opt/orchestrator/app/orchestrator.dll\"]", dockerfile);
        // The compose file mounts the dags where the image's working folder expects them (the CLI's default ./dags).
        Assert.Contains("WORKDIR /opt/orchestrator", dockerfile);
        Assert.Contains("ORCHESTRATOR_DAGS=/opt/orchestrator/dags \\", dockerfile.Select(l => l.Trim()));
    }

    [Fact(Timeout = 60_000)]
    public async Task EveryServiceCommand_IsOneTheCliHas_WithOptionsItTakes()
    {
        foreach (var role in Roles)
        {
            var problem = await CliCommandCheck.ProblemAsync(role.Command);
            Assert.True(problem is null, $"service {role.Name}: {problem}");
        }
    }

    [Fact]
    public async Task DockerComposeConfig_AcceptsTheFile_WhereThePluginExists()
    {
        if (!await ToolExistsAsync("docker", "compose", "version"))
        {
            output.WriteLine("note: the docker compose plugin is not installed here; `docker compose config` was not run (the YAML checks above still ran)");
            return;
        }

        var (code, text) = await RunAsync(Root, ["compose", "-f", "docker-compose.yml", "config", "--quiet"],
            ("ORCHESTRATOR_SECRET_KEY", Convert.ToBase64String(new byte[32])));
        Assert.True(code == 0, $"docker compose config rejected docker-compose.yml:\n{text}");
    }

    private static string? Verb(ComposeService service) => service.Command.Count > 0 ? service.Command[0] : null;

    private static string? OptionValue(ComposeService service, string option)
    {
        var index = service.Command.ToList().IndexOf(option);
        return index >= 0 && index + 1 < service.Command.Count ? service.Command[index + 1] : null;
    }

    private static async Task<bool> ToolExistsAsync(string tool, params string[] args)
    {
        try
        {
            return (await RunAsync(Root, args, tool: tool)).Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string folder, string[] args, (string Name, string Value)? variable = null, string tool = "docker")
    {
        var start = new ProcessStartInfo(tool) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (variable is { } v)
        {
            start.Environment[v.Name] = v.Value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
