using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>Pools on SQLite and PostgreSQL. Being built (migration 013): every member refuses until it lands.</summary>
internal sealed class SqlPoolStore(SqlSession session) : IPoolStore
{
    private readonly SqlSession _session = session;

    private static NotSupportedException NotYet() => new("pools are not in this store yet (migration 013)");

    public Task<IReadOnlyList<PoolRecord>> ListAsync(CancellationToken cancellationToken) => throw NotYet();

    public Task<PoolRecord?> GetAsync(string name, CancellationToken cancellationToken) => throw NotYet();

    public Task SetAsync(string name, int slots, string? description, DateTimeOffset at, CancellationToken cancellationToken) => throw NotYet();

    public Task<PoolDeleteOutcome> DeleteAsync(string name, CancellationToken cancellationToken) => throw NotYet();

    public Task<IReadOnlyList<string>> WaitedForAsync(CancellationToken cancellationToken) => throw NotYet();

    public Task<IReadOnlyList<PoolAdmission>> AdmitAsync(string pool, DateTimeOffset at, CancellationToken cancellationToken) => throw NotYet();
}
