namespace Orchestrator.Storage.Artifacts;

/// <summary>A stored artifact: the lowercase hex SHA-256 of its bytes (its address) and its size.</summary>
public sealed record ArtifactRef(string Digest, long SizeBytes);

/// <summary>Content-addressed files (model packages, dataset copies, reports). The same bytes are stored once; a
/// stored artifact never changes. The default is a folder in the home (<c>artifacts/</c>).</summary>
public interface IArtifactStore
{
    /// <summary>Stores the stream's bytes (written to a temporary file, then moved into place, so a crash never
    /// leaves a partial artifact under a digest).</summary>
    Task<ArtifactRef> PutAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>Stores a file's bytes; <paramref name="knownDigest"/>, when the caller has just hashed the file,
    /// saves reading it twice (it is trusted).</summary>
    Task<ArtifactRef> PutFileAsync(string path, string? knownDigest, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string digest, CancellationToken cancellationToken);

    /// <summary>Opens the artifact for reading; <see cref="FileNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(string digest, CancellationToken cancellationToken);

    /// <summary>A local file holding the artifact's bytes (the stored file itself for the folder store; a cached copy
    /// for a remote store). Read-only for the caller.</summary>
    Task<string> GetLocalPathAsync(string digest, CancellationToken cancellationToken);
}
