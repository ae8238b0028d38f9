namespace Orchestrator.Storage.Tests;

/// <summary>What every contract suite of the metadata store shares: a fresh store per test from the backend's
/// fixture (SQLite file or PostgreSQL database), dropped afterwards.</summary>
public abstract class MetadataStoreContract : IAsyncLifetime
{
    protected IMetadataStore Store { get; private set; } = null!;

    protected abstract Task<IMetadataStore> OpenAsync();

    /// <summary>Removes what <see cref="OpenAsync"/> made; nothing by default.</summary>
    protected virtual Task DropAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => Store = await OpenAsync();

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await DropAsync();
    }
}
