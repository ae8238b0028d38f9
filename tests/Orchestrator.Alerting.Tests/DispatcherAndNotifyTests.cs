using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Orchestrator.Alerting.Dispatch;
using Orchestrator.Alerting.Notify;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage.Records;

namespace Orchestrator.Alerting.Tests;

/// <summary>The outbox dispatcher and the notify task over a real store and a real loopback webhook.</summary>
public sealed class DispatcherAndNotifyTests : AlertingFixture
{
    [Fact]
    public async Task Dispatcher_SendsAlertsRecordedBeforeItStarted_AndMarksThem()
    {
        // Sent in parallel: each to its own webhook, so which one answers what does not depend on arrival order.
        await using var refusing = new WebhookListener().Answer(400);
        var late = await RecordAsync("late", $$"""{"url":"{{refusing.Url}}late"}""", T0.AddMinutes(1));
        var early = await RecordAsync("early", UrlTarget("early"), T0);
        await RecordAsync("only recorded", null);
        using var dispatcher = new AlertDispatcher(Store, Sender(), Time, new FakeLogger<AlertDispatcher>(Logs));
        var dispatched = new List<AlertRecord>();
        var both = new TaskCompletionSource();
        dispatcher.Dispatched += alert =>
        {
            lock (dispatched)
            {
                dispatched.Add(alert);
                if (dispatched.Count == 2)
                {
                    both.TrySetResult();
                }
            }
        };

        await dispatcher.StartAsync(default);
        await both.Task.WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard, not a timing
        await dispatcher.StopAsync(default);

        Assert.Equal(["/early"], Hook.Requests.Select(r => r.PathAndQuery));
        Assert.Equal(["/late"], refusing.Requests.Select(r => r.PathAndQuery));
        var sent = (await Store.Alerts.GetAsync(early.Id, default))!;
        var failed = (await Store.Alerts.GetAsync(late.Id, default))!;
        Assert.Equal((AlertState.Sent, 1, (string?)null, (DateTimeOffset?)T0), (sent.State, sent.Attempts, sent.LastError, sent.SentAt));
        Assert.Equal((AlertState.Failed, 1, "the webhook answered 400 Bad Request"), (failed.State, failed.Attempts, failed.LastError));
        Assert.Empty(await Store.Alerts.ListPendingAsync(10, default));
    }

    [Fact]
    public async Task Dispatcher_AWebhookThatNeverAnswers_DoesNotHoldUpAnAlertToAnotherOne()
    {
        // A listener that accepts connections and never answers: each attempt waits out its timeout, then retries.
        using var blackhole = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blackhole.Start();
        var held = new List<System.Net.Sockets.TcpClient>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await blackhole.AcceptTcpClientAsync());
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // stopped
            }
        });
        var port = ((System.Net.IPEndPoint)blackhole.LocalEndpoint).Port;
        await RecordAsync("stuck", $$"""{"url":"http://127.0.0.1:{{port}}/hook"}""", T0); // the older one
        var urgent = await RecordAsync("urgent", UrlTarget("urgent"), T0.AddMinutes(1));
        using var dispatcher = new AlertDispatcher(Store, Sender(), Time, NullLogger<AlertDispatcher>.Instance);
        var first = new TaskCompletionSource<AlertRecord>();
        dispatcher.Dispatched += alert => first.TrySetResult(alert);

        await dispatcher.StartAsync(default);
        var dispatched = await first.Task.WaitAsync(TimeSpan.FromSeconds(60)); // a hang guard, not a timing
        await dispatcher.StopAsync(default);

        Assert.Equal((urgent.Id, AlertState.Sent), (dispatched.Id, dispatched.State)); // not after the stuck one's 4 attempts
        foreach (var client in held)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Dispatcher_Wake_SendsANewAlertWithoutWaitingForThePoll()
    {
        using var dispatcher = new AlertDispatcher(Store, Sender(), Time, NullLogger<AlertDispatcher>.Instance);
        var first = new TaskCompletionSource<AlertRecord>();
        dispatcher.Dispatched += alert => first.TrySetResult(alert);
        await dispatcher.StartAsync(default);

        var alert = await RecordAsync("new", UrlTarget());
        dispatcher.Wake(); // the fake clock never moves: only the wake can start the pass
        var dispatched = await first.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await dispatcher.StopAsync(default);

        Assert.Equal((alert.Id, AlertState.Sent), (dispatched.Id, dispatched.State));
    }

    [Fact]
    public async Task TwoDispatchersOnOneStore_SendEachAlertOnce_AndTheSecondTakesOverWhenTheFirstStops()
    {
        using var first = new AlertDispatcher(Store, Sender(), Time, NullLogger<AlertDispatcher>.Instance);
        using var second = new AlertDispatcher(Store, Sender(), Time, NullLogger<AlertDispatcher>.Instance);
        var byFirst = new List<long>();
        var bySecond = new List<long>();
        var firstSent = new SemaphoreSlim(0);
        var secondSent = new SemaphoreSlim(0);
        first.Dispatched += alert => { lock (byFirst) { byFirst.Add(alert.Id); } firstSent.Release(); };
        second.Dispatched += alert => { lock (bySecond) { bySecond.Add(alert.Id); } secondSent.Release(); };
        await first.StartAsync(default);
        var one = await RecordAsync("one", UrlTarget("one"));
        first.Wake();
        Assert.True(await firstSent.WaitAsync(TimeSpan.FromSeconds(30))); // the first holds the lease now

        await second.StartAsync(default); // a second web server on the same store
        var two = await RecordAsync("two", UrlTarget("two"));
        second.Wake();
        first.Wake();
        Assert.True(await firstSent.WaitAsync(TimeSpan.FromSeconds(30)));
        await first.StopAsync(default); // gives the lease up

        var three = await RecordAsync("three", UrlTarget("three"));
        second.Wake();
        Assert.True(await secondSent.WaitAsync(TimeSpan.FromSeconds(30)));
        await second.StopAsync(default);

        Assert.Equal([one.Id, two.Id], byFirst);
        Assert.Equal([three.Id], bySecond);
        Assert.Equal(["/one", "/two", "/three"], Hook.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task DispatchPending_TriesEachPendingAlertOnce()
    {
        await RecordAsync("a", UrlTarget("a"));
        await RecordAsync("b", UrlTarget("b"));
        using var dispatcher = new AlertDispatcher(Store, Sender(), Time, NullLogger<AlertDispatcher>.Instance);

        Assert.Equal(2, await dispatcher.DispatchPendingAsync(default));
        Assert.Equal(0, await dispatcher.DispatchPendingAsync(default));
        Assert.Equal(2, Hook.Requests.Count);
    }

    [Fact]
    public async Task Notify_RecordsAndSendsItsAlert_AndOutputsItsIdAndState()
    {
        var output = await NotifyAsync(new { url = Hook.Url + "notify", message = "model deployed", severity = "info" });

        var alertId = output.GetProperty("alertId").GetInt64();
        Assert.Equal("sent", output.GetProperty("state").GetString());
        var alert = (await Store.Alerts.GetAsync(alertId, default))!;
        Assert.Equal(("notify", "info", "model deployed", "etl", "r1", "tell", AlertState.Sent, 1), (alert.Kind, alert.Severity, alert.Message, alert.DagId, alert.RunId, alert.TaskId, alert.State, alert.Attempts));
        Assert.Equal("/notify", Assert.Single(Hook.Requests).PathAndQuery);
        Assert.Empty(await Store.Alerts.ListPendingAsync(10, default));
    }

    [Fact]
    public async Task Notify_WithoutTarget_OnlyRecords()
    {
        var output = await NotifyAsync(new { message = "noted" });

        Assert.Equal("recorded", output.GetProperty("state").GetString());
        Assert.Empty(Hook.Requests);
    }

    [Fact]
    public async Task Notify_FailsTheTry_WhenTheWebhookFails_AndTheAlertShowsWhy()
    {
        Hook.Answer(503, 503, 503, 503);

        var failure = await Assert.ThrowsAsync<TaskFailedException>(() => NotifyAsync(new { url = Hook.Url, message = "m" }));

        Assert.Contains("was not delivered: the webhook answered 503 Service Unavailable", failure.Message, StringComparison.Ordinal);
        var alert = Assert.Single((await Store.Alerts.ListAsync(new AlertQuery(), default)).Items);
        Assert.Equal((AlertState.Failed, 4, "the webhook answered 503 Service Unavailable"), (alert.State, alert.Attempts, alert.LastError));

        // The next try records its own alert and delivers it.
        var output = await NotifyAsync(new { url = Hook.Url, message = "m" }, tryNumber: 2);
        Assert.Equal("sent", output.GetProperty("state").GetString());
        Assert.Equal(2, (await Store.Alerts.ListAsync(new AlertQuery(), default)).Total);
    }

    [Theory]
    [InlineData("""{"message": "m", "channel": "#ops"}""", "args.channel is not an argument of notify")]
    [InlineData("""{"mesage": "m"}""", "did you mean 'message'?")]
    [InlineData("""{"url": "x"}""", "args.message")]
    [InlineData("""{"message": "m", "url": "ftp://h/"}""", "args.url 'ftp://h/' is not an absolute http or https URL")]
    [InlineData("""{"message": "m", "url": "http://h/", "connection": "c"}""", "args.url give either 'connection' or 'url', not both")]
    [InlineData("""{"message": "m", "severity": "loud"}""", "args.severity unknown severity 'loud'")]
    [InlineData("""{"message": "pw is {{ conn.hook.password }}"}""", "args.message reads a Variable or Connection")]
    [InlineData("""{"message": "token {{var.api_token}}"}""", "args.message reads a Variable or Connection")]
    [InlineData("""{"message": "m", "url": "https://hooks.example.com/services/{{ var.slack_token }}"}""", "args.url reads a Variable or Connection")]
    public async Task Notify_BadArgs_AreConfigurationErrors_AndRecordNothing(string args, string expected)
    {
        var error = await Assert.ThrowsAsync<TaskArgumentException>(() => NotifyAsync(JsonDocument.Parse(args).RootElement));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await Store.Alerts.ListAsync(new AlertQuery(), default)).Total);
    }

    private async Task<JsonElement> NotifyAsync(object args, int tryNumber = 1)
    {
        var dag = new DagBuilder("etl");
        dag.Task("tell", "notify", args);
        var task = dag.Build().Tasks[0];
        var run = new RunContext
        {
            DagId = new DagId("etl"), RunId = new RunId("r1"), LogicalDate = T0,
            Params = new Dictionary<string, JsonElement>(), Outputs = new Dictionary<TaskId, JsonElement>(), DagFolder = ".",
        };
        var context = new TaskContext
        {
            Run = run, Task = task, TryNumber = tryNumber, MaxTries = 3,
            Args = new TaskArgs(task.Args, task.Id, "."),
            Templates = new Core.Templating.TemplateScope(run.DagId, run.RunId, run.LogicalDate, task.Id, tryNumber, run.Params, run.Outputs),
            Logger = NullLogger.Instance, Log = new NoLog(), Time = Time,
        };
        return (await new NotifyTask(Store, Sender()).ExecuteAsync(context, default))!.Value;
    }

    private sealed class NoLog : ITaskLog
    {
        public LogLimits Limits => LogLimits.Default;

        public void Write(string level, string message, long cutChars)
        {
        }
    }
}
