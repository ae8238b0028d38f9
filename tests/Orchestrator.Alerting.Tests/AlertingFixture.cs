using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Alerting.Webhooks;
using Orchestrator.Core.Secrets;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Keys;
using Orchestrator.Secrets.Services;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Alerting.Tests;

/// <summary>A real SQLite store in a temp folder, Connections sealed with a fresh key, a fake clock, a log collector,
/// and a loopback webhook.</summary>
public abstract class AlertingFixture : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-alerting-").FullName;
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    internal WebhookListener Hook { get; } = new();

    protected IMetadataStore Store { get; private set; } = null!;

    protected ConnectionService Connections { get; private set; } = null!;

    protected FakeTimeProvider Time { get; } = new(T0);

    protected FakeLogCollector Logs { get; } = new();

    protected WebhookOptions Options { get; } = new() { FirstRetryDelay = TimeSpan.Zero, MaxRetries = 3, AttemptTimeout = TimeSpan.FromSeconds(5) };

    public async Task InitializeAsync()
    {
        Store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), Time, default);
        Connections = new ConnectionService(Store.Connections, new SecretCipher(SecretKey.Generate("test")), Time);
    }

    public async Task DisposeAsync()
    {
        await Hook.DisposeAsync();
        await Store.DisposeAsync();
        _http.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    internal WebhookSender Sender(TimeProvider? time = null) =>
        new(_http, Connections, Options, time ?? Time, new FakeLogger<WebhookSender>(Logs));

    protected Task AddConnectionAsync(string name, ConnectionValues values) => Connections.AddAsync(name, values, default);

    protected async Task<AlertRecord> RecordAsync(string key, string? target, DateTimeOffset? at = null) =>
        (await Store.Alerts.RecordAsync(new NewAlert("taskFailed", "critical", $"alert {key}", target, key, at ?? T0)
        {
            DagId = "etl", RunId = "r1", TaskId = "load",
        }, default)).Alert;

    protected string UrlTarget(string path = "hook") => $$"""{"url":"{{Hook.Url}}{{path}}"}""";

    protected string AllLogText() => string.Join("\n", Logs.GetSnapshot().Select(r => r.Message + " " + r.Exception));
}
