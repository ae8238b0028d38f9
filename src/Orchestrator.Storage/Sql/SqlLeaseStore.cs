using Dapper;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>Leases as rows: taking one is a single upsert that only wins over a free, expired or own lease, so two
/// processes racing for it cannot both get it (the row's primary key and the upsert's condition decide).</summary>
internal sealed class SqlLeaseStore(SqlSession session) : ILeaseStore
{
    private const string Columns = "name, owner, token, acquired_at, expires_at";

    public async Task<LeaseGrant?> TryAcquireAsync(string name, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        if (expiresAt <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresAt), expiresAt, "a lease must end after it is taken");
        }

        LeaseRow? granted = null;
        await session.WriteAsync(async (connection, transaction) =>
        {
            // Another owner's expired lease passes with a new token; the owner's own lease is extended and keeps it.
            granted = await connection.QuerySingleOrDefaultAsync<LeaseRow>(SqlSession.Command($"""
                INSERT INTO leases ({Columns}) VALUES (@name, @owner, 1, @now, @expiresAt)
                ON CONFLICT (name) DO UPDATE SET
                    token = CASE WHEN leases.owner = excluded.owner THEN leases.token ELSE leases.token + 1 END,
                    acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at ELSE excluded.acquired_at END,
                    owner = excluded.owner,
                    expires_at = excluded.expires_at
                WHERE leases.owner = excluded.owner OR leases.expires_at <= excluded.acquired_at
                RETURNING {Columns}
                """, new { name, owner, now = Ms.Of(now), expiresAt = Ms.Of(expiresAt) }, transaction, cancellationToken));
        }, cancellationToken);
        return granted?.ToRecord();
    }

    public async Task<IReadOnlySet<string>> RenewAsync(IReadOnlyCollection<LeaseGrant> leases, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        var renewed = new HashSet<string>(StringComparer.Ordinal);
        if (leases.Count == 0)
        {
            return renewed;
        }

        await session.WriteAsync(async (connection, transaction) =>
        {
            renewed.Clear(); // a write retried by the group commit starts over
            foreach (var lease in leases)
            {
                if (await connection.ExecuteAsync(SqlSession.Command(
                        "UPDATE leases SET expires_at = @expiresAt WHERE name = @name AND owner = @owner AND token = @token",
                        new { expiresAt = Ms.Of(expiresAt), name = lease.Name, owner = lease.Owner, token = lease.Token }, transaction, cancellationToken)) == 1)
                {
                    renewed.Add(lease.Name);
                }
            }
        }, cancellationToken);
        return renewed;
    }

    public async Task<LeaseGrant?> TakeOverAsync(LeaseGrant current, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        LeaseRow? taken = null;
        await session.WriteAsync(async (connection, transaction) =>
        {
            taken = await connection.QuerySingleOrDefaultAsync<LeaseRow>(SqlSession.Command($"""
                UPDATE leases SET owner = @owner, token = token + 1, acquired_at = @now, expires_at = @expiresAt
                 WHERE name = @name AND owner = @currentOwner AND token = @token
                RETURNING {Columns}
                """, new { owner, now = Ms.Of(now), expiresAt = Ms.Of(expiresAt), name = current.Name, currentOwner = current.Owner, token = current.Token },
                transaction, cancellationToken));
        }, cancellationToken);
        return taken?.ToRecord();
    }

    public Task<bool> ReleaseAsync(LeaseGrant lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return session.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(SqlSession.Command(
            "DELETE FROM leases WHERE name = @name AND owner = @owner AND token = @token",
            new { name = lease.Name, owner = lease.Owner, token = lease.Token }, transaction, cancellationToken)) == 1, cancellationToken);
    }

    public Task<LeaseGrant?> GetAsync(string name, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<LeaseRow>(SqlSession.Command(
            $"SELECT {Columns} FROM leases WHERE name = @name", new { name }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<LeaseGrant>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        // Not LIKE: a prefix may hold '%' or '_'.
        return session.ReadAsync<IReadOnlyList<LeaseGrant>>(async connection => [.. (await connection.QueryAsync<LeaseRow>(SqlSession.Command(
            $"SELECT {Columns} FROM leases WHERE substr(name, 1, @length) = @prefix ORDER BY name",
            new { prefix, length = prefix.Length }, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);
    }

    /// <summary>In a batch's transaction: whether the lease is still this owner's with this token. On PostgreSQL the
    /// row is locked until the batch commits, so the lease cannot pass to another owner in between.</summary>
    internal static async Task<bool> HoldsAsync(
        SqlDatabase database, System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, LeaseGrant lease, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<long?>(SqlSession.Command(
            $"SELECT token FROM leases WHERE name = @name AND owner = @owner AND token = @token{database.ForUpdate}",
            new { name = lease.Name, owner = lease.Owner, token = lease.Token }, transaction, cancellationToken)) is not null;

    private sealed class LeaseRow
    {
        public string Name { get; set; } = "";

        public string Owner { get; set; } = "";

        public long Token { get; set; }

        public long AcquiredAt { get; set; }

        public long ExpiresAt { get; set; }

        public LeaseGrant ToRecord() => new(Name, Owner, Token, Ms.At(AcquiredAt), Ms.At(ExpiresAt));
    }
}
