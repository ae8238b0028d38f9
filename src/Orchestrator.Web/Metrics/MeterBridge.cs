using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Orchestrator.Engine.Telemetry;
using Prometheus;

namespace Orchestrator.Web.Metrics;

/// <summary>Copies the measurements of a fixed set of instruments, made by ONE host's meter factory, into that
/// host's Prometheus registry under the names below. A table rather than prometheus-net's MeterAdapter: the adapter
/// (8.2.1) published no measurement on .NET 10 in our tests, exports counters as gauges, and takes every tag as a
/// label; here the names and labels are a stable contract and cardinality is bounded by design.</summary>
internal sealed class MeterBridge : IDisposable
{
    /// <summary>What is exported: (meter, instrument) → Prometheus name and the tags kept as labels (others dropped).</summary>
    internal static readonly IReadOnlyList<Export> Exports =
    [
        new(EngineMetrics.MeterName, "task.tries.finished", "orchestrator_task_tries_finished_total", ["outcome"]),
        new(EngineMetrics.MeterName, "task.try.duration", "orchestrator_task_try_duration_seconds", ["outcome"]),
        new(EngineMetrics.MeterName, "task.scheduling.delay", "orchestrator_task_scheduling_delay_seconds", []),
        new(EngineMetrics.MeterName, "task.queue.depth", "orchestrator_task_queue_depth", []),
        new(EngineMetrics.MeterName, "runs.started", "orchestrator_runs_started_total", []),
        new(EngineMetrics.MeterName, "runs.finished", "orchestrator_runs_finished_total", ["state"]),
        // ASP.NET Core's own request duration, by route TEMPLATE (never the raw path): a bounded set of series.
        new("Microsoft.AspNetCore.Hosting", "http.server.request.duration", "orchestrator_http_request_duration_seconds",
            ["http.request.method", "http.response.status_code", "http.route"]),
    ];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentBag<Sink> _sinks = [];

    public MeterBridge(IMeterFactory scope, CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Another host in this process has instruments of the same names from its own factory.
            if (!ReferenceEquals(instrument.Meter.Scope, scope)
                || Exports.FirstOrDefault(e => e.Meter == instrument.Meter.Name && e.Instrument == instrument.Name) is not { } export
                || CreateSink(factory, export, instrument) is not { } sink)
            {
                return;
            }

            _sinks.Add(sink);
            listener.EnableMeasurementEvents(instrument, sink);
        };
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Sink)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Sink)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Sink)state!).Record(value, tags));
        _listener.Start();
        registry.AddBeforeCollectCallback(_listener.RecordObservableInstruments);
    }

    public void Dispose() => _listener.Dispose();

    private static Sink? CreateSink(MetricFactory factory, Export export, Instrument instrument)
    {
        var labels = export.Tags.Select(t => t.Replace('.', '_')).ToArray();
        var help = string.IsNullOrEmpty(instrument.Description) ? export.Name : instrument.Description;
        switch (instrument)
        {
            case Counter<long>:
                var counter = factory.CreateCounter(export.Name, help, labels);
                return new Sink(export.Tags, (value, at) => counter.WithLabels(at).Inc(value));
            case Histogram<double> histogram:
                var buckets = histogram.Advice?.HistogramBucketBoundaries is { Count: > 0 } advised ? advised.ToArray() : null;
                var prometheus = factory.CreateHistogram(export.Name, help, labels, new HistogramConfiguration { Buckets = buckets });
                return new Sink(export.Tags, (value, at) => prometheus.WithLabels(at).Observe(value));
            case ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double>:
                var gauge = factory.CreateGauge(export.Name, help, labels);
                return new Sink(export.Tags, (value, at) => gauge.WithLabels(at).Set(value));
            default:
                return null; // an instrument kind the table does not use
        }
    }

    internal sealed record Export(string Meter, string Instrument, string Name, IReadOnlyList<string> Tags);

    private sealed class Sink(IReadOnlyList<string> tags, Action<double, string[]> record)
    {
        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> measured)
        {
            var values = new string[tags.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = "";
                foreach (var tag in measured)
                {
                    if (tag.Key == tags[i])
                    {
                        values[i] = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
                        break;
                    }
                }
            }

            record(value, values);
        }
    }
}
