using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Orchestrator.Secrets.Masking;
using Orchestrator.Secrets.Services;
using Orchestrator.Storage.Records;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Orchestrator.Alerting.Webhooks;

/// <summary>POSTs an alert as JSON to its target: a URL, or a Connection whose secrets become headers. Retries with
/// exponential backoff and jitter on 5xx, 408, 429, network errors and attempt timeouts; a other 4xx fails at once.
/// The Connection's password and a URL's query string never appear in an error or a log line.</summary>
public sealed partial class WebhookSender
{
    private readonly HttpClient _http;
    private readonly ConnectionService _connections;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSender> _logger;

    public WebhookSender(HttpClient http, ConnectionService connections, WebhookOptions options, TimeProvider time, ILogger<WebhookSender> logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        (_http, _connections, _options, _time, _logger) = (http, connections, options, time, logger);
    }

    /// <summary>Delivers <paramref name="alert"/> to its target (which must not be null). Never throws for a delivery
    /// problem: the result says what happened. Throws <see cref="OperationCanceledException"/> when cancelled.</summary>
    public async Task<WebhookResult> SendAsync(AlertRecord alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var masker = new SecretMasker();
        var attempts = 0;
        string Masked(string text) => masker.Mask(text);
        try
        {
            var (url, headers) = await ResolveAsync(alert, masker, cancellationToken);
            var body = AlertPayload.Serialize(alert, _options.PublicUrl);
            using var response = await Pipeline().ExecuteAsync(async token =>
            {
                attempts++;
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                foreach (var (name, value) in headers)
                {
                    if (!request.Headers.TryAddWithoutValidation(name, value))
                    {
                        request.Content.Headers.TryAddWithoutValidation(name, value);
                    }
                }

                return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            }, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return new WebhookResult(true, attempts, null);
            }

            return Failed(alert, attempts, $"the webhook answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (WebhookConfigurationException e)
        {
            return Failed(alert, attempts, Masked(e.Message));
        }
        catch (TimeoutRejectedException)
        {
            return Failed(alert, attempts, $"no answer within {_options.AttemptTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            // The exception's text may name the URL; only its kind and status are kept.
            return Failed(alert, attempts, Masked($"the webhook could not be reached ({e.HttpRequestError})"));
        }
    }

    private WebhookResult Failed(AlertRecord alert, int attempts, string error)
    {
        LogFailed(_logger, alert.Id, attempts, error);
        return new WebhookResult(false, attempts, error);
    }

    private async Task<(Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers)> ResolveAsync(AlertRecord alert, SecretMasker masker, CancellationToken cancellationToken)
    {
        var target = WebhookTarget.Parse(alert.Target ?? throw new WebhookConfigurationException($"alert {alert.Id} has no webhook"));
        if (target.Url is { } url)
        {
            masker.Add(new Uri(url).Query.TrimStart('?'));
            return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? (uri, [])
                : throw new WebhookConfigurationException("the alert's url is not an absolute http(s) URL");
        }

        var connection = await _connections.GetAsync(target.Connection!, cancellationToken)
            ?? throw new WebhookConfigurationException($"connection '{target.Connection}' does not exist");
        masker.Add(connection.Password);
        masker.AddRange(connection.Extra?.Values ?? []);
        return WebhookTarget.FromConnection(target.Connection!, connection);
    }

    private ResiliencePipeline<HttpResponseMessage> Pipeline()
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time };
        if (_options.MaxRetries > 0) // Polly refuses a retry strategy of zero attempts
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.FirstRetryDelay,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(IsTransient),
                OnRetry = arguments =>
                {
                    arguments.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        }

        return builder.AddTimeout(_options.AttemptTimeout).Build();
    }

    /// <summary>Worth another attempt: the server's trouble (5xx), a request timeout (408) or throttling (429).</summary>
    public static bool IsTransient(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = (int)response.StatusCode;
        return status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertId}: webhook failed after {Attempts} attempt(s): {Error}")]
    private static partial void LogFailed(ILogger logger, long alertId, int attempts, string error);
}
