using System.Security.Cryptography;
using System.Text;
using Orchestrator.Storage.Artifacts;

namespace Orchestrator.Storage.Tests;

/// <summary>The folder artifact store: content addressing, one copy per content, atomic placement, owner-only
/// permissions, and digests checked before they become paths.</summary>
public sealed class FolderArtifactStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Directory.CreateTempSubdirectory("orchestrator-artifacts-").FullName, "artifacts");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_root)!, recursive: true);

    [Fact]
    public async Task Put_StoresTheBytesUnderTheirSha256_OwnerOnly()
    {
        var store = new FolderArtifactStore(_root);
        var bytes = Encoding.UTF8.GetBytes("model package bytes");
        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var stored = await store.PutAsync(new MemoryStream(bytes), default);

        Assert.Equal(new ArtifactRef(digest, bytes.Length), stored);
        var path = Path.Combine(_root, "sha256", digest[..2], digest[2..]);
        Assert.Equal(path, await store.GetLocalPathAsync(digest, default));
        Assert.True(await store.ExistsAsync(digest, default));
        await using (var read = await store.OpenReadAsync(digest, default))
        {
            using var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.Equal(bytes, copy.ToArray());
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(path));
            foreach (var folder in (string[])[_root, Path.Combine(_root, "sha256"), Path.GetDirectoryName(path)!])
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
            }
        }
    }

    [Fact]
    public async Task SameBytes_PutConcurrently_AreStoredOnce()
    {
        var store = new FolderArtifactStore(_root);
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var other = new FolderArtifactStore(_root); // a second instance, as another process would have

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => (i % 2 == 0 ? store : other).PutAsync(new MemoryStream(bytes), default))));

        Assert.Single(results.Distinct());
        var digest = results[0].Digest;
        Assert.Equal([digest[2..]], Directory.GetFiles(Path.Combine(_root, "sha256", digest[..2])).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "sha256"))); // no temporary file left behind
        Assert.Equal(bytes, await File.ReadAllBytesAsync(await store.GetLocalPathAsync(digest, default)));

        Assert.Equal(results[0], await store.PutAsync(new MemoryStream(bytes), default)); // a later put is a no-op too
    }

    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("..")]
    [InlineData("")]
    [InlineData("ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567890")]
    [InlineData("ab/def0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    public async Task MalformedDigests_AreRefused_BeforeAnyPathIsTouched(string digest)
    {
        var store = new FolderArtifactStore(_root);
        var file = Path.Combine(Path.GetDirectoryName(_root)!, "input.bin");
        await File.WriteAllTextAsync(file, "x");

        await Assert.ThrowsAsync<ArgumentException>(() => store.ExistsAsync(digest, default));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(digest, default));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetLocalPathAsync(digest, default));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.PutFileAsync(file, digest, default));
        Assert.Contains("64 lowercase hex", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_root, "sha256")));
    }

    [Fact]
    public async Task NoPartialFile_IsEverVisibleUnderADigest()
    {
        var store = new FolderArtifactStore(_root);
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));

        // While the bytes are being written, nothing exists under their digest.
        var seenWhileWriting = new List<bool>();
        await store.PutAsync(new WatchingStream(bytes, () => seenWhileWriting.Add(File.Exists(Path.Combine(_root, "sha256", digest[..2], digest[2..])))), default);
        Assert.NotEmpty(seenWhileWriting);
        Assert.DoesNotContain(true, seenWhileWriting);

        // A write that fails half-way leaves neither the artifact nor its temporary file.
        var failing = RandomNumberGenerator.GetBytes(200_000);
        var failingDigest = Convert.ToHexStringLower(SHA256.HashData(failing));
        await Assert.ThrowsAsync<IOException>(() => store.PutAsync(new WatchingStream(failing, () => { }, failAfterBytes: 100_000), default));
        Assert.False(await store.ExistsAsync(failingDigest, default));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "sha256")));
    }

    [Fact]
    public async Task PutFile_HashesOrTrustsTheKnownDigest()
    {
        var store = new FolderArtifactStore(_root);
        var file = Path.Combine(Path.GetDirectoryName(_root)!, "model.zip");
        var bytes = RandomNumberGenerator.GetBytes(70_000);
        await File.WriteAllBytesAsync(file, bytes);
        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));

        Assert.Equal(new ArtifactRef(digest, bytes.Length), await store.PutFileAsync(file, null, default));
        Assert.Equal(new ArtifactRef(digest, bytes.Length), await store.PutFileAsync(file, digest, default));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(await store.GetLocalPathAsync(digest, default)));

        var second = Path.Combine(Path.GetDirectoryName(_root)!, "other.zip");
        await File.WriteAllTextAsync(second, "other bytes");
        var secondDigest = Convert.ToHexStringLower(SHA256.HashData("other bytes"u8));
        Assert.Equal(new ArtifactRef(secondDigest, 11), await store.PutFileAsync(second, secondDigest, default));
        Assert.Equal("other bytes", await File.ReadAllTextAsync(await store.GetLocalPathAsync(secondDigest, default)));
    }

    [Fact]
    public async Task MissingArtifact_IsNotFound()
    {
        var store = new FolderArtifactStore(_root);
        var digest = new string('e', 64);

        Assert.False(await store.ExistsAsync(digest, default));
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenReadAsync(digest, default));
        Assert.Contains(digest, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.GetLocalPathAsync(digest, default));
    }

    [Fact]
    public void ExistingRootWithWiderPermissions_IsTightened()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Directory.CreateDirectory(_root);
        File.SetUnixFileMode(_root, (UnixFileMode)Convert.ToInt32("755", 8));

        _ = new FolderArtifactStore(_root);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_root));
    }

    /// <summary>Hands out its bytes in small reads, calling back before each; can fail part-way like a broken upload.</summary>
    private sealed class WatchingStream(byte[] bytes, Action beforeRead, int failAfterBytes = int.MaxValue) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            beforeRead();
            if (_position >= failAfterBytes)
            {
                throw new IOException("connection reset");
            }

            var n = Math.Min(Math.Min(count, 16_384), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
