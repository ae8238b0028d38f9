namespace Orchestrator.Storage.Tests;

public sealed class SqliteStoreContractTests : StoreContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-store-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresStoreContractTests : StoreContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
