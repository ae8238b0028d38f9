using System.Security.Cryptography;
using Orchestrator.Storage.Artifacts;

namespace Orchestrator.Serving.Tests.Fixtures;

/// <summary>Test double of the artifact store: files in a temporary folder named by their SHA-256.</summary>
internal sealed class FolderArtifacts(string folder) : IArtifactStore
{
    public async Task<ArtifactRef> PutAsync(Stream content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        var digest = Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
        await File.WriteAllBytesAsync(Path.Combine(folder, digest), buffer.ToArray(), cancellationToken);
        return new ArtifactRef(digest, buffer.Length);
    }

    public async Task<ArtifactRef> PutFileAsync(string path, string? knownDigest, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return await PutAsync(file, cancellationToken);
    }

    public Task<bool> ExistsAsync(string digest, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(Path.Combine(folder, digest)));

    public Task<Stream> OpenReadAsync(string digest, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(File.OpenRead(Path.Combine(folder, digest)));

    public Task<string> GetLocalPathAsync(string digest, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, digest);
        return File.Exists(path) ? Task.FromResult(path) : throw new FileNotFoundException(path);
    }
}
