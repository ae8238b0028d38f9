using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Orchestrator.Alerting.Tests;

/// <summary>A real HTTP server on loopback (HttpListener): records each request and answers with the next status
/// queued (200 when none); a status of 0 means "never answer" (for timeouts).</summary>
internal sealed class WebhookListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<int> _answers = new();
    private readonly Channel<ReceivedRequest> _received = Channel.CreateUnbounded<ReceivedRequest>();
    private readonly CancellationTokenSource _stop = new(); // not disposed: DisposeAsync may run twice
    private readonly Task _loop;

    public WebhookListener()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public int Port => new Uri(Url).Port;

    public List<ReceivedRequest> Requests { get; } = [];

    public WebhookListener Answer(params int[] statuses)
    {
        lock (_answers)
        {
            foreach (var status in statuses)
            {
                _answers.Enqueue(status);
            }
        }

        return this;
    }

    /// <summary>The next request, as soon as it has arrived.</summary>
    public async Task<ReceivedRequest> NextAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a hang guard, not a timing
        return await _received.Reader.ReadAsync(guard.Token);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            var request = new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, headers, body);
            lock (Requests)
            {
                Requests.Add(request);
            }

            int status;
            lock (_answers)
            {
                status = _answers.Count > 0 ? _answers.Dequeue() : 200;
            }

            _received.Writer.TryWrite(request);
            if (status == 0)
            {
                continue; // never answered: the client times out
            }

            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}

internal sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);
