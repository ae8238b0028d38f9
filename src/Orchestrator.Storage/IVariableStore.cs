using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Variables (Airflow's name → value settings), stored encrypted; encryption is the caller's job
/// (Orchestrator.Secrets), so this store only ever holds <see cref="SealedValue"/>s.</summary>
public interface IVariableStore
{
    /// <summary>Creates the variable or replaces its value.</summary>
    Task SetAsync(VariableRecord variable, CancellationToken cancellationToken);

    Task<VariableRecord?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every variable, by name.</summary>
    Task<IReadOnlyList<VariableRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>False when there was no such variable.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
