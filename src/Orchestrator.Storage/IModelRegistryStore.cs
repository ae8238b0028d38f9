using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>The model registry (MLflow's): registered models, numbered versions with lineage, and aliases whose every
/// move is kept. Each method is one transaction: a crash leaves a version either fully registered or absent, and an
/// alias always points at a version that exists.</summary>
public interface IModelRegistryStore
{
    /// <summary>Numbers and stores a new version (creating the model on its first version). Idempotent per task try
    /// lineage: when a version of this model registered by the same DAG run and task (DagId, RunId and TaskId all set and equal) exists, that
    /// version is returned instead (a retried or re-run register task never registers twice). Created is false then.
    /// Versions are numbered 1, 2, 3… per model with no gap or repeat, also under concurrent registrations from
    /// several processes. Model names: letters, digits, '_', '-', '.' (<see cref="Ml.MlNames"/>).</summary>
    Task<(ModelVersionRecord Version, bool Created)> RegisterVersionAsync(NewModelVersion version, DateTimeOffset at, CancellationToken cancellationToken);

    Task<RegisteredModelRecord?> GetModelAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<RegisteredModelRecord>> ListModelsAsync(CancellationToken cancellationToken);

    Task<ModelVersionRecord?> GetVersionAsync(string name, int version, CancellationToken cancellationToken);

    /// <summary>Versions of a model, newest first.</summary>
    Task<IReadOnlyList<ModelVersionRecord>> ListVersionsAsync(string name, CancellationToken cancellationToken);

    /// <summary>The version an alias points at, or null.</summary>
    Task<ModelVersionRecord?> GetByAliasAsync(string name, string alias, CancellationToken cancellationToken);

    /// <summary>Points the alias at the version and appends the move to its history, in one transaction. Throws
    /// <see cref="KeyNotFoundException"/> (nothing written) when the model or version does not exist. Moving it to
    /// the version it already points at writes nothing and returns null. Concurrent moves are applied one after the
    /// other: the alias always ends at the newest history entry's ToVersion. Aliases: letters, digits, '_', '-';
    /// <c>latest</c> and <c>vN</c> are reserved.</summary>
    Task<AliasMoveRecord?> SetAliasAsync(string name, string alias, int version, string movedBy, string? reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Removes the alias (recorded in its history); false when it was not set.</summary>
    Task<bool> DeleteAliasAsync(string name, string alias, string movedBy, string? reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Every move of the model's aliases (or of one alias), newest first.</summary>
    Task<IReadOnlyList<AliasMoveRecord>> AliasHistoryAsync(string name, string? alias, CancellationToken cancellationToken);

    /// <summary>Sets (or, with a null value, removes) a tag on a version; false when the version does not exist.</summary>
    Task<bool> SetVersionTagAsync(string name, int version, string key, string? value, CancellationToken cancellationToken);

    /// <summary>Sets the model's description and/or tags (null: unchanged); false when the model does not exist.</summary>
    Task<bool> UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string>? tags, DateTimeOffset at, CancellationToken cancellationToken);
}
