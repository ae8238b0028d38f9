using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Serving.Tests.Fixtures;

/// <summary>Test double of the model registry (the real stores have their own contract tests): one lock, and a count
/// of reads so tests can show the scoring hot path reads nothing.</summary>
internal sealed class InMemoryModelRegistry : IModelRegistryStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RegisteredModelRecord> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ModelVersionRecord>> _versions = new(StringComparer.Ordinal);
    private readonly List<AliasMoveRecord> _moves = [];
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Runs before every alias read answers: tests use it to hold a read in flight.</summary>
    public Func<string, string, Task>? BeforeAliasRead { get; set; }

    public Task<(ModelVersionRecord Version, bool Created)> RegisterVersionAsync(NewModelVersion version, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_models.ContainsKey(version.Name))
            {
                _models[version.Name] = new RegisteredModelRecord(version.Name, null, new Dictionary<string, string>(), at, at, new Dictionary<string, int>());
                _versions[version.Name] = [];
            }

            var list = _versions[version.Name];
            var record = new ModelVersionRecord(version.Name, list.Count + 1, version.Description,
                version.Tags ?? new Dictionary<string, string>(), version.ArtifactDigest, version.SignatureJson, version.DatasetDigest,
                version.TrackingRunId, version.ParamsJson, version.MetricsJson, at, version.CreatedBy);
            list.Add(record);
            return Task.FromResult((record, true));
        }
    }

    public Task<RegisteredModelRecord?> GetModelAsync(string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        lock (_lock)
        {
            return Task.FromResult(_models.GetValueOrDefault(name));
        }
    }

    public Task<IReadOnlyList<RegisteredModelRecord>> ListModelsAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<RegisteredModelRecord>>([.. _models.Values]);
        }
    }

    public Task<ModelVersionRecord?> GetVersionAsync(string name, int version, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        lock (_lock)
        {
            return Task.FromResult(_versions.GetValueOrDefault(name)?.FirstOrDefault(v => v.Version == version));
        }
    }

    public Task<IReadOnlyList<ModelVersionRecord>> ListVersionsAsync(string name, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ModelVersionRecord>>(
                [.. (_versions.GetValueOrDefault(name) ?? []).OrderByDescending(v => v.Version)]);
        }
    }

    public async Task<ModelVersionRecord?> GetByAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        int? version;
        lock (_lock)
        {
            version = _models.TryGetValue(name, out var model) && model.Aliases.TryGetValue(alias, out var v) ? v : null;
        }

        // The value is read before the hook runs: a held read answers what the registry said when it began.
        if (BeforeAliasRead is { } hook)
        {
            await hook(name, alias);
        }

        return version is null ? null : await GetVersionAsync(name, version.Value, cancellationToken);
    }

    public Task<AliasMoveRecord?> SetAliasAsync(string name, string alias, int version, string movedBy, string? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_models.TryGetValue(name, out var model) || _versions[name].All(v => v.Version != version))
            {
                throw new KeyNotFoundException($"{name} v{version}");
            }

            var aliases = new Dictionary<string, int>(model.Aliases);
            int? from = aliases.TryGetValue(alias, out var old) ? old : null;
            if (from == version)
            {
                return Task.FromResult<AliasMoveRecord?>(null);
            }

            aliases[alias] = version;
            _models[name] = model with { Aliases = aliases, UpdatedAt = at };
            var move = new AliasMoveRecord(name, alias, from, version, at, movedBy, reason);
            _moves.Add(move);
            return Task.FromResult<AliasMoveRecord?>(move);
        }
    }

    public Task<bool> DeleteAliasAsync(string name, string alias, string movedBy, string? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_models.TryGetValue(name, out var model) || !model.Aliases.ContainsKey(alias))
            {
                return Task.FromResult(false);
            }

            var aliases = new Dictionary<string, int>(model.Aliases);
            var from = aliases[alias];
            aliases.Remove(alias);
            _models[name] = model with { Aliases = aliases, UpdatedAt = at };
            _moves.Add(new AliasMoveRecord(name, alias, from, null, at, movedBy, reason));
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<AliasMoveRecord>> AliasHistoryAsync(string name, string? alias, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<AliasMoveRecord>>(
                [.. _moves.Where(m => m.Name == name && (alias is null || m.Alias == alias)).Reverse()]);
        }
    }

    public Task<bool> SetVersionTagAsync(string name, int version, string key, string? value, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by serving");

    public Task<bool> UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string>? tags, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_models.TryGetValue(name, out var model))
            {
                return Task.FromResult(false);
            }

            _models[name] = model with { Description = description ?? model.Description, Tags = tags ?? model.Tags };
            return Task.FromResult(true);
        }
    }
}
