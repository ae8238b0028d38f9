using Microsoft.Extensions.ObjectPool;
using Orchestrator.ML.Models;
using Orchestrator.Serving.Payloads;

namespace Orchestrator.Serving.Resolution;

/// <summary>One loaded model version being served: its signature binding, a pool of scorers (a scorer wraps a
/// PredictionEngine, which is not thread-safe) and a count of the requests holding it. Once retired it takes no new
/// requests, and the model is disposed when the last request holding it lets go.</summary>
internal sealed class ServedModel
{
    private readonly ILoadedModel _model;
    private int _leases;
    private int _retired;
    private int _disposed;
    private long _lastUsed;

    public ServedModel(string name, int version, ILoadedModel model, long loadedAt)
    {
        Name = name;
        Version = version;
        _model = model;
        Binding = new InputBinding(model.Signature);
        Labels = LabelStyleOf(model.Signature);
        Scorers = new DefaultObjectPool<IModelScorer>(new ScorerPolicy(model), Environment.ProcessorCount * 2);
        _lastUsed = loadedAt;
    }

    public string Name { get; }

    public int Version { get; }

    public ModelSignature Signature => _model.Signature;

    public InputBinding Binding { get; }

    public LabelStyle Labels { get; }

    public ObjectPool<IModelScorer> Scorers { get; }

    public long LastUsed => Volatile.Read(ref _lastUsed);

    public bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    /// <summary>Takes a hold on the model for one request; false when it was retired meanwhile (look it up again).</summary>
    public bool TryAcquire(long now)
    {
        Interlocked.Increment(ref _leases);
        if (Volatile.Read(ref _retired) == 0)
        {
            Volatile.Write(ref _lastUsed, now);
            return true;
        }

        Release();
        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _retired) == 1)
        {
            DisposeOnce();
        }
    }

    /// <summary>Takes no new requests; disposes now if none holds it, else when the last one releases it.</summary>
    public void Retire()
    {
        // Interlocked on both sides (here and in TryAcquire) orders the flag against the count, so exactly one side
        // sees "retired and unheld" and the model is never disposed under a request.
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _leases) == 0)
        {
            DisposeOnce();
        }
    }

    private void DisposeOnce()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _model.Dispose();
        }
    }

    /// <summary>How a classifier's labels are written: as JSON booleans or numbers when the classes were (so the
    /// reply carries the label's own type, as MLflow's does), otherwise as strings.</summary>
    private static LabelStyle LabelStyleOf(ModelSignature signature)
    {
        if (signature.Task == MlTask.Regression)
        {
            return LabelStyle.String;
        }

        var classes = signature.Classes;
        if (classes is null || classes.Count == 0)
        {
            return signature.Task == MlTask.Binary ? LabelStyle.Boolean : LabelStyle.String;
        }

        if (classes.All(c => bool.TryParse(c, out _)))
        {
            return LabelStyle.Boolean;
        }

        return classes.All(c => double.TryParse(c, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
            ? LabelStyle.Number
            : LabelStyle.String;
    }

    private sealed class ScorerPolicy(ILoadedModel model) : PooledObjectPolicy<IModelScorer>
    {
        public override IModelScorer Create() => model.CreateScorer();

        public override bool Return(IModelScorer obj) => true;
    }
}

internal enum LabelStyle
{
    String,
    Boolean,
    Number,
}

/// <summary>A request's hold on a served model; disposing it lets the model go.</summary>
internal readonly struct ModelLease(ServedModel model) : IDisposable
{
    public ServedModel Model { get; } = model;

    public void Dispose() => Model?.Release();
}
