using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests;

/// <summary>The SQLite file holds every run's conf and the sealed secrets: only its owner may read it.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class SqliteFilePermissionTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode WorldReadable = OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode SharedFolder = (UnixFileMode)0b111_101_101;

    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-modes-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task ANewDatabase_And_ItsWalAndShm_Are0600_InA0700Folder()
    {
        var folder = Path.Combine(_root, "home");
        var file = Path.Combine(folder, "orchestrator.db");

        await using (var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(file), TimeProvider.System, default))
        {
            await store.Variables.ListAsync(default);
            Assert.True(File.Exists(file + "-wal"));
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file + "-wal"));
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file + "-shm"));
        }

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
    }

    [Fact]
    public async Task AnExistingWorldReadableDatabase_IsTightened_AndTheChangeLogged()
    {
        var file = Path.Combine(_root, "orchestrator.db");
        await using (var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(file), TimeProvider.System, default))
        {
            await store.Variables.ListAsync(default);
        }

        SqliteConnection.ClearAllPools();
        File.SetUnixFileMode(_root, SharedFolder);
        File.WriteAllBytes(file + "-journal", []);
        foreach (var path in (string[])[file, file + "-journal"])
        {
            File.SetUnixFileMode(path, WorldReadable);
        }

        var logger = new ListLogger();
        await using (var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(file, logger), TimeProvider.System, default))
        {
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file));
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file + "-journal"));
        }

        Assert.Equal(2, logger.Messages.Count);
        Assert.Contains($"{file} was readable by other users (0644); its permissions are now 0600", logger.Messages);
        Assert.Equal(SharedFolder, File.GetUnixFileMode(_root)); // an existing folder the operator chose is left as it was
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
