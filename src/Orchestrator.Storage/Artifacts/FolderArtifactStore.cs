using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Orchestrator.Storage.Files;

namespace Orchestrator.Storage.Artifacts;

/// <summary>Artifacts as files under a folder, addressed by content: <c>ROOT/sha256/ab/cdef…</c> (the first two hex
/// characters name a subfolder, so no folder holds more than a few thousand files). Bytes are written to a temporary
/// file in <c>ROOT/sha256/</c> (same file system), flushed to disk, made read-only and then moved into place without
/// overwriting: a reader never sees a partial artifact, and when two writers store the same bytes at once the second
/// move finds the file there and drops its copy. Folders are 0700 and files 0400 (owner only; see
/// <see cref="OwnerOnly"/>).</summary>
public sealed class FolderArtifactStore : IArtifactStore
{
    private const string Algorithm = "sha256";
    private const UnixFileMode StoredMode = UnixFileMode.UserRead;

    private readonly string _objects;

    /// <param name="root">The store's folder (created 0700 when missing, tightened when wider).</param>
    /// <param name="logger">Told when an existing folder had wider permissions and was tightened.</param>
    public FolderArtifactStore(string root, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        OwnerOnly.EnsureFolder(Root, logger);
        _objects = Path.Combine(Root, Algorithm);
        OwnerOnly.EnsureFolder(_objects, logger);
    }

    public string Root { get; }

    public async Task<ArtifactRef> PutAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return await StoreAsync(content, knownDigest: null, cancellationToken);
    }

    public async Task<ArtifactRef> PutFileAsync(string path, string? knownDigest, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (knownDigest is not null)
        {
            ArtifactDigest.Ensure(knownDigest, nameof(knownDigest));
            if (File.Exists(PathOf(knownDigest)))
            {
                return new ArtifactRef(knownDigest, new FileInfo(path).Length); // already stored: nothing to copy
            }
        }

        await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        return await StoreAsync(source, knownDigest, cancellationToken);
    }

    public Task<bool> ExistsAsync(string digest, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(CheckedPathOf(digest)));

    public Task<Stream> OpenReadAsync(string digest, CancellationToken cancellationToken)
    {
        var path = CheckedPathOf(digest);
        try
        {
            return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true));
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Missing(digest, path);
        }
    }

    public Task<string> GetLocalPathAsync(string digest, CancellationToken cancellationToken)
    {
        var path = CheckedPathOf(digest);
        return File.Exists(path) ? Task.FromResult(path) : Task.FromException<string>(Missing(digest, path));
    }

    private async Task<ArtifactRef> StoreAsync(Stream content, string? knownDigest, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(_objects, $".put-{Guid.NewGuid():N}.tmp");
        try
        {
            string digest;
            long size;
            await using (var target = new FileStream(temporary, TemporaryFileOptions()))
            {
                (digest, size) = await CopyAsync(content, target, hash: knownDigest is null, cancellationToken);
                target.Flush(flushToDisk: true); // on disk before it has a name: a crash never leaves a torn artifact
            }

            digest = knownDigest ?? digest;
            var final = PathOf(digest);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, StoredMode);
            }

            OwnerOnly.CreateFolderIfMissing(Path.GetDirectoryName(final)!);
            try
            {
                File.Move(temporary, final, overwrite: false);
            }
            catch (IOException) when (File.Exists(final))
            {
                // Same bytes stored before, or by a concurrent writer that won the move: the stored file stays.
            }

            return new ArtifactRef(digest, size);
        }
        finally
        {
            File.Delete(temporary); // no-op once moved
        }
    }

    private static FileStreamOptions TemporaryFileOptions()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            BufferSize = 0, // the copy loop's buffer is the only one
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly.FileMode; // 0600 from the start, never briefly readable by others
        }

        return options;
    }

    private static async Task<(string Digest, long Size)> CopyAsync(Stream content, Stream target, bool hash, CancellationToken cancellationToken)
    {
        using var sha = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        var buffer = new byte[1 << 16];
        long size = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha?.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            size += read;
        }

        return (sha is null ? "" : ArtifactDigest.Of(sha.GetHashAndReset()), size);
    }

    private string CheckedPathOf(string digest)
    {
        ArtifactDigest.Ensure(digest, nameof(digest));
        return PathOf(digest);
    }

    // Only called with a validated digest: 64 hex characters cannot leave the folder.
    private string PathOf(string digest) => Path.Combine(_objects, digest[..2], digest[2..]);

    private static FileNotFoundException Missing(string digest, string path) => new($"no artifact {digest} in the artifact store", path);
}
