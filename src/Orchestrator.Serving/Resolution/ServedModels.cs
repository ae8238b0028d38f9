using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.ML.Models;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;

namespace Orchestrator.Serving.Resolution;

/// <summary>The models being served. A request resolves (name, alias) through an in-memory alias map and (name,
/// version) through a cache of loaded models, so the hot path reads no store. The map is filled on a model's first
/// request, re-read in the background (<see cref="RefreshAsync"/>) and switched at once by a deploy
/// (<see cref="AliasMovedAsync"/>): the new version is loaded first, then the map entry flips, so requests see either
/// the old or the new version and never a gap. A version no alias points at is released after going idle, and
/// disposed only when the requests holding it are done.</summary>
public sealed class ServedModels : IModelDeploymentNotifier, IDisposable
{
    private readonly IModelRegistryStore _registry;
    private readonly IArtifactStore _artifacts;
    private readonly IModelPackageReader _packages;
    private readonly ModelServingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ServedModels> _logger;

    private readonly ConcurrentDictionary<AliasKey, int> _aliases = new();
    private readonly ConcurrentDictionary<VersionKey, Task<ServedModel>> _loaded = new();
    // Alias reads of one model run one at a time; striped by name so unknown names cannot grow a table.
    private readonly SemaphoreSlim[] _aliasGates = [.. Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly Lock _loadLock = new();

    public ServedModels(
        IModelRegistryStore registry,
        IArtifactStore artifacts,
        IModelPackageReader packages,
        IOptions<ModelServingOptions> options,
        TimeProvider time,
        ILogger<ServedModels> logger)
    {
        _registry = registry;
        _artifacts = artifacts;
        _packages = packages;
        _options = options.Value;
        _options.Validate();
        _time = time;
        _logger = logger;
    }

    /// <summary>The version each alias seen so far is served from (name, alias → version).</summary>
    public IReadOnlyDictionary<(string Name, string Alias), int> ServedAliases =>
        _aliases.ToDictionary(entry => (entry.Key.Name, entry.Key.Alias), entry => entry.Value);

    /// <summary>The loaded versions (name, version) currently cached.</summary>
    public IReadOnlyList<(string Name, int Version)> LoadedVersions =>
        [.. _loaded.Keys.Select(key => (key.Name, key.Version))];

    /// <summary>Holds the model a request asks for: an explicit version, or the version the alias (default: the
    /// configured default alias) points at. 404 <see cref="ServingException"/> when there is none.</summary>
    internal async ValueTask<ModelLease> AcquireAsync(string name, string? alias, int? version, CancellationToken cancellationToken)
    {
        alias ??= _options.DefaultAlias;
        while (true)
        {
            int served;
            if (version is { } pinned)
            {
                served = pinned;
            }
            else if (!_aliases.TryGetValue(new AliasKey(name, alias), out served))
            {
                served = await ResolveAliasAsync(name, alias, cancellationToken)
                    ?? throw await AliasNotFoundAsync(name, alias, cancellationToken);
            }

            var model = await GetOrLoadAsync(new VersionKey(name, served), cancellationToken);
            if (model.TryAcquire(_time.GetTimestamp()))
            {
                return new ModelLease(model);
            }

            // Released between the lookup and the hold (the alias moved on and it went idle): look up again.
        }
    }

    /// <inheritdoc />
    public async Task AliasMovedAsync(string name, string alias, CancellationToken cancellationToken)
    {
        await ResolveAliasAsync(name, alias, cancellationToken);
        ReleaseIdle();
    }

    /// <summary>Re-reads every served alias from the registry (switching those that moved or were deleted), then
    /// releases idle versions no alias points at. The background refresher calls this on its interval.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        foreach (var key in _aliases.Keys)
        {
            try
            {
                await ResolveAliasAsync(key.Name, key.Alias, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One broken version (e.g. an unreadable package) must not stop the others from refreshing; the
                // alias keeps serving what it served.
                _logger.LogError(e, "Model serving: could not refresh {Model}@{Alias}", key.Name, key.Alias);
            }
        }

        ReleaseIdle();
    }

    public void Dispose()
    {
        foreach (var entry in _loaded)
        {
            if (_loaded.TryRemove(entry) && entry.Value.IsCompletedSuccessfully)
            {
                entry.Value.Result.Retire();
            }
        }

        foreach (var gate in _aliasGates)
        {
            gate.Dispose();
        }
    }

    /// <summary>Reads the alias from the registry and points the map at its version, loading that version first. Calls
    /// for one model run one at a time, each reading the registry after the previous one finished, so of two
    /// concurrent moves the later read (which sees the final value) is also the last write to the map.</summary>
    private async Task<int?> ResolveAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        var gate = _aliasGates[(StringComparer.Ordinal.GetHashCode(name) & int.MaxValue) % _aliasGates.Length];
        await gate.WaitAsync(cancellationToken);
        try
        {
            var key = new AliasKey(name, alias);
            var record = await _registry.GetByAliasAsync(name, alias, cancellationToken);
            if (record is null)
            {
                if (_aliases.TryRemove(key, out var was))
                {
                    _logger.LogInformation("Model serving: {Model}@{Alias} removed (was version {Version})", name, alias, was);
                }

                return null;
            }

            await GetOrLoadAsync(new VersionKey(name, record.Version), cancellationToken);
            var previous = _aliases.TryGetValue(key, out var old) ? old : (int?)null;
            _aliases[key] = record.Version;
            if (previous != record.Version)
            {
                _logger.LogInformation("Model serving: {Model}@{Alias} now serves version {Version} (was {Previous})",
                    name, alias, record.Version, previous?.ToString(CultureInfo.InvariantCulture) ?? "none");
            }

            return record.Version;
        }
        finally
        {
            gate.Release();
        }
    }

    private async ValueTask<ServedModel> GetOrLoadAsync(VersionKey key, CancellationToken cancellationToken)
    {
        if (!_loaded.TryGetValue(key, out var loading))
        {
            lock (_loadLock)
            {
                if (!_loaded.TryGetValue(key, out loading))
                {
                    // Loading runs on its own (not on the first caller's token): other requests wait for the same load.
                    loading = Task.Run(() => LoadAsync(key), CancellationToken.None);
                    _loaded[key] = loading;
                }
            }
        }

        if (loading.IsCompletedSuccessfully)
        {
            return loading.Result;
        }

        try
        {
            return await loading.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed load is not cached: the next request tries again (the version may be registered by then).
            _loaded.TryRemove(KeyValuePair.Create(key, loading));
            throw;
        }
    }

    private async Task<ServedModel> LoadAsync(VersionKey key)
    {
        var record = await _registry.GetVersionAsync(key.Name, key.Version, CancellationToken.None);
        if (record is null)
        {
            throw await _registry.GetModelAsync(key.Name, CancellationToken.None) is null
                ? ModelNotFound(key.Name)
                : ServingException.NotFound($"Model '{key.Name}' has no version {key.Version}");
        }

        var started = _time.GetTimestamp();
        ILoadedModel model;
        try
        {
            var path = await _artifacts.GetLocalPathAsync(record.ArtifactDigest, CancellationToken.None);
            if (!await MatchesDigestAsync(key, record.ArtifactDigest, path))
            {
                throw ServingException.LoadFailed(key.Name, key.Version);
            }

            model = _packages.Read(path);
        }
        catch (Exception e) when (e is not ServingException)
        {
            // The client gets the model and version only; the log keeps the cause and the file's path.
            _logger.LogError(e, "Model serving: could not load {Model} version {Version} (artifact {Digest})",
                key.Name, key.Version, record.ArtifactDigest);
            throw ServingException.LoadFailed(key.Name, key.Version);
        }

        _logger.LogInformation("Model serving: loaded {Model} version {Version} from {Digest} in {Elapsed}",
            key.Name, key.Version, record.ArtifactDigest, _time.GetElapsedTime(started));
        return new ServedModel(key.Name, key.Version, model, _time.GetTimestamp());
    }

    /// <summary>Hashes the package once per load: an artifact whose bytes were replaced (another model's copied over
    /// it, a truncated copy) must not be served under this version's name.</summary>
    private async Task<bool> MatchesDigestAsync(VersionKey key, string digest, string path)
    {
        string actual;
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
        {
            actual = await ArtifactDigest.ComputeAsync(file, CancellationToken.None);
        }

        if (string.Equals(actual, digest, StringComparison.Ordinal))
        {
            return true;
        }

        _logger.LogError("Model serving: refused to load {Model} version {Version}: its package {Path} has SHA-256 {Actual}, " +
            "not its recorded digest {Digest} (the artifact was changed after it was stored)", key.Name, key.Version, path, actual, digest);
        return false;
    }

    /// <summary>Releases loaded versions that no alias points at and that went without a request for
    /// <see cref="ModelServingOptions.IdleModelRelease"/>.</summary>
    private void ReleaseIdle()
    {
        var pointedAt = _aliases.Select(entry => new VersionKey(entry.Key.Name, entry.Value)).ToHashSet();
        var now = _time.GetTimestamp();
        foreach (var entry in _loaded)
        {
            if (pointedAt.Contains(entry.Key) || !entry.Value.IsCompletedSuccessfully)
            {
                continue;
            }

            var model = entry.Value.Result;
            if (_time.GetElapsedTime(model.LastUsed, now) >= _options.IdleModelRelease && _loaded.TryRemove(entry))
            {
                model.Retire();
                _logger.LogInformation("Model serving: released {Model} version {Version} (no alias, idle)", model.Name, model.Version);
            }
        }
    }

    private async Task<ServingException> AliasNotFoundAsync(string name, string alias, CancellationToken cancellationToken) =>
        await _registry.GetModelAsync(name, cancellationToken) is null
            ? ModelNotFound(name)
            : ServingException.NotFound($"Model '{name}' has no alias '{alias}'; pick a version with ?version=N or another alias with ?alias=NAME");

    private static ServingException ModelNotFound(string name) =>
        ServingException.NotFound($"Registered model '{name}' not found");

    private readonly record struct AliasKey(string Name, string Alias);

    private readonly record struct VersionKey(string Name, int Version);
}
