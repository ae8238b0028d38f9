using System.Text.Json;
using Orchestrator.Alerting.Webhooks;
using Orchestrator.Core.Secrets;

namespace Orchestrator.Alerting.Tests;

/// <summary>Delivery against a real loopback HTTP server: body, headers, retries, no retry, timeout, secrets.</summary>
public sealed class WebhookSenderTests : AlertingFixture
{
    [Fact]
    public async Task Alert_IsPostedAsJson_WithItsFields_AndALinkWhenConfigured()
    {
        Options.PublicUrl = new Uri("https://orchestrator.example.com/base");
        var alert = await RecordAsync("k1", UrlTarget("hook?x=1"));

        var result = await Sender().SendAsync(alert, default);

        Assert.Equal(new WebhookResult(true, 1, null), result);
        var request = Assert.Single(Hook.Requests);
        Assert.Equal(("POST", "/hook?x=1"), (request.Method, request.PathAndQuery));
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal(
            ["id", "kind", "severity", "message", "dagId", "runId", "taskId", "eventId", "createdAt", "link"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(alert.Id, root.GetProperty("id").GetInt64());
        Assert.Equal(("taskFailed", "critical", "alert k1", "etl", "r1", "load"), (
            root.GetProperty("kind").GetString(), root.GetProperty("severity").GetString(), root.GetProperty("message").GetString(),
            root.GetProperty("dagId").GetString(), root.GetProperty("runId").GetString(), root.GetProperty("taskId").GetString()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("eventId").ValueKind);
        Assert.Equal("2026-03-01T12:00:00.000Z", root.GetProperty("createdAt").GetString());
        Assert.Equal($"https://orchestrator.example.com/base/api/v1/alerts/{alert.Id}", root.GetProperty("link").GetString());
    }

    [Fact]
    public async Task ServerErrors_AreRetried_UntilSuccess()
    {
        Hook.Answer(503, 500, 429);

        var result = await Sender().SendAsync(await RecordAsync("k", UrlTarget()), default);

        Assert.Equal(new WebhookResult(true, 4, null), result);
        Assert.Equal(4, Hook.Requests.Count);
    }

    [Fact]
    public async Task Retries_AreBounded_AndTheLastStatusIsTheError()
    {
        Hook.Answer(503, 503, 503, 503, 200);

        var result = await Sender().SendAsync(await RecordAsync("k", UrlTarget()), default);

        Assert.Equal(new WebhookResult(false, 4, "the webhook answered 503 Service Unavailable"), result);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    public async Task ClientErrors_AreNotRetried(int status)
    {
        Hook.Answer(status);

        var result = await Sender().SendAsync(await RecordAsync("k", UrlTarget()), default);

        Assert.False(result.Delivered);
        Assert.Equal(1, result.Attempts);
        Assert.StartsWith($"the webhook answered {status}", result.Error, StringComparison.Ordinal);
        Assert.Single(Hook.Requests);
    }

    [Fact]
    public async Task AnAttemptWithoutAnswer_TimesOut_OnTheClock()
    {
        Options.MaxRetries = 0;
        Hook.Answer(0);
        var sending = Sender().SendAsync(await RecordAsync("k", UrlTarget()), default);

        await Hook.NextAsync();
        Assert.False(sending.IsCompleted);
        Time.Advance(Options.AttemptTimeout);
        var result = await sending;

        Assert.Equal(new WebhookResult(false, 1, "no answer within 5 s"), result);
    }

    [Fact]
    public async Task NetworkErrors_AreRetried_AndReportedWithoutTheUrl()
    {
        var port = Hook.Port;
        await Hook.DisposeAsync(); // nobody listens any more
        var alert = await RecordAsync("k", $$"""{"url":"http://127.0.0.1:{{port}}/hook?token=s3cr3t-token"}""");

        var result = await Sender().SendAsync(alert, default);

        Assert.Equal((false, 4), (result.Delivered, result.Attempts));
        Assert.Equal("the webhook could not be reached (ConnectionError)", result.Error);
        Assert.DoesNotContain("s3cr3t-token", AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_GivesUrlAndBearerHeader_AndItsSecretIsNeverStoredOrLogged()
    {
        await AddConnectionAsync("ops_webhook", new ConnectionValues("http", Host: $"127.0.0.1/hooks/ops", Port: Hook.Port, Password: "p4ssw0rd-xyz",
            Schema: "http", Extra: new Dictionary<string, string> { ["X-Team"] = "ml" }));
        Hook.Answer(500, 400);
        var alert = await RecordAsync("k", """{"connection":"ops_webhook"}""");

        var result = await Sender().SendAsync(alert, default);

        Assert.False(result.Delivered);
        Assert.Equal(2, Hook.Requests.Count);
        var request = Hook.Requests[0];
        Assert.Equal("/hooks/ops", request.PathAndQuery);
        Assert.Equal("Bearer p4ssw0rd-xyz", request.Headers["Authorization"]);
        Assert.Equal("ml", request.Headers["X-Team"]);
        Assert.DoesNotContain("p4ssw0rd", alert.Target, StringComparison.Ordinal);
        Assert.DoesNotContain("p4ssw0rd", result.Error, StringComparison.Ordinal);
        Assert.NotEmpty(Logs.GetSnapshot());
        Assert.DoesNotContain("p4ssw0rd", AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingConnection_FailsAtOnce_WithoutARequest()
    {
        var result = await Sender().SendAsync(await RecordAsync("k", """{"connection":"nope"}"""), default);

        Assert.Equal(new WebhookResult(false, 0, "connection 'nope' does not exist"), result);
        Assert.Empty(Hook.Requests);
    }

    [Theory]
    [InlineData("https://h.example.com/x?token=abc&b=2", "https://h.example.com/x?token=***&b=***")]
    [InlineData("http://user:pw@h.example.com:8080/x", "http://***@h.example.com:8080/x")]
    [InlineData("https://h.example.com/plain", "https://h.example.com/plain")]
    public void UrlQueries_AreMasked(string url, string masked)
    {
        Assert.Equal(masked, Core.Alerts.AlertTargetMasking.MaskUrl(url));
    }
}
