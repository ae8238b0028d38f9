using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Application.Queries.Ml;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Keys;
using Orchestrator.Secrets.Masking;
using Orchestrator.Secrets.Services;
using Orchestrator.Storage;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Web.Api;
using Orchestrator.Web.Api.Ml;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Api.Ml;

/// <summary>The ML API on a test server over a real SQLite store in a temp folder. Sign-in is a test scheme that takes
/// the user from <c>X-Test-User</c> and the role from <c>X-Test-Role</c> (no header: not signed in), until the real
/// authentication lands.</summary>
internal sealed class MlApiApp : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private readonly string _folder;
    private readonly WebApplication _app;

    private MlApiApp(string folder, WebApplication app, IMetadataStore store, VariableService variables, ConnectionService connections)
    {
        _folder = folder;
        _app = app;
        Store = store;
        Variables = variables;
        Connections = connections;
    }

    public IMetadataStore Store { get; }

    public VariableService Variables { get; }

    public ConnectionService Connections { get; }

    public string Folder => _folder;

    public static async Task<MlApiApp> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-mlapi-").FullName;
        var time = new FakeTimeProvider(Now);
        var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(folder, "orchestrator.db")), time, default);
        var cipher = new SecretCipher(SecretKey.Generate("test"));
        var variables = new VariableService(store.Variables, cipher, time);
        var connections = new ConnectionService(store.Connections, cipher, time);

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IMetadataStore>(store);
        builder.Services.AddSingleton(SensitiveNames.Default);
        builder.Services.AddSingleton(variables);
        builder.Services.AddSingleton(connections);
        builder.Services.AddMlQueries();
        builder.Services.AddOrchestratorApiErrors();
        TestAuthentication.AddTo(builder.Services);
        builder.Services.AddAuthorization(options => options.AddOrchestratorPolicies());
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGroup("/api/v1").MapMlApi();
        await app.StartAsync();
        return new MlApiApp(folder, app, store, variables, connections);
    }

    /// <summary>A client signed in as <paramref name="user"/> with <paramref name="role"/>; null role: not signed in.</summary>
    public HttpClient Client(string? role, string user = "alice")
    {
        var client = _app.GetTestClient();
        if (role is not null)
        {
            client.DefaultRequestHeaders.Add(TestAuthentication.RoleHeader, role);
            client.DefaultRequestHeaders.Add(TestAuthentication.UserHeader, user);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
