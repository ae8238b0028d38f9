using System.Globalization;
using System.Text.Json;

namespace Orchestrator.Engine.Hosting;

/// <summary>One engine per home folder: an exclusive OS lock (flock) on <c>HOME/engine.lock</c>, held for the engine's
/// lifetime. The kernel drops it when the holder's process ends in any way (kill -9 included), so a crashed holder
/// never has to be waited for or cleaned up. The lock covers processes on this machine sharing this folder; it says
/// nothing about engines on other machines sharing a PostgreSQL store.
/// <para>.NET takes a shared flock whenever it opens a file, so a refused engine could not read a locked file: who holds
/// the lock is written beside it, to <c>engine.lock.json</c>.</para></summary>
public sealed class HomeLock : IDisposable
{
    public const string LockFileName = "engine.lock";
    public const string HolderFileName = "engine.lock.json";

    private readonly FileStream _lock;
    private readonly string _holderFile;

    private HomeLock(FileStream handle, string lockFile, string holderFile, HomeLockHolder holder)
    {
        _lock = handle;
        LockFile = lockFile;
        _holderFile = holderFile;
        Holder = holder;
    }

    public string LockFile { get; }

    public HomeLockHolder Holder { get; }

    /// <summary>Takes the lock of <paramref name="home"/> (created if missing) or throws <see cref="HomeLockedException"/>
    /// naming the engine that holds it.</summary>
    public static HomeLock Acquire(string home, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (FileLockingDisabled())
        {
            throw new InvalidOperationException(
                "file locking is turned off in this process (DOTNET_SYSTEM_IO_DISABLEFILELOCKING / System.IO.DisableFileLocking), "
                + "so one engine per home cannot be ensured: unset it to start the engine");
        }

        Directory.CreateDirectory(home);
        var lockFile = Path.GetFullPath(Path.Combine(home, LockFileName));
        var holderFile = Path.GetFullPath(Path.Combine(home, HolderFileName));
        FileStream handle;
        try
        {
            // FileShare.None: .NET takes flock(LOCK_EX | LOCK_NB) on Unix and an exclusive share mode on Windows.
            handle = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception) when (IsHeldElsewhere(exception))
        {
            throw new HomeLockedException(lockFile, ReadHolder(holderFile), exception);
        }

        // Never delete engine.lock: a process that opened the old file would lock a file no one else sees.
        var holder = new HomeLockHolder(Environment.ProcessId, Environment.MachineName, time.GetUtcNow());
        var temporary = holderFile + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(holder, HolderJson.Default.HomeLockHolder));
        File.Move(temporary, holderFile, overwrite: true); // atomic: a refused engine never reads half a file
        return new HomeLock(handle, lockFile, holderFile, holder);
    }

    /// <summary>Releases the lock; the holder file goes first so it never describes an engine that has stopped.</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(_holderFile);
        }
        catch (IOException)
        {
            // the lock is released anyway; a stale description is overwritten by the next holder
        }

        _lock.Dispose();
    }

    /// <summary>The lock is taken (any other I/O failure is reported as itself): flock's EWOULDBLOCK, which .NET
    /// reports with the errno as HResult (11 on Linux, 35 on macOS), or a sharing violation on Windows.</summary>
    private static bool IsHeldElsewhere(IOException exception) =>
        OperatingSystem.IsLinux() ? exception.HResult == 11
        : OperatingSystem.IsMacOS() ? exception.HResult == 35
        : exception.HResult is unchecked((int)0x80070020) or unchecked((int)0x80070021);

    private static HomeLockHolder? ReadHolder(string holderFile)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(holderFile), HolderJson.Default.HomeLockHolder);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            return null; // the holder has just taken the lock and not yet written it, or it is not an engine
        }
    }

    /// <summary>The switch that makes .NET skip flock for every file (meant for network file systems).</summary>
    private static bool FileLockingDisabled()
    {
        if (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled))
        {
            return disabled;
        }

        var variable = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING");
        return variable is not null && (variable == "1" || variable.Equals("true", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>The engine holding a home: its process id, host and since when.</summary>
public sealed record HomeLockHolder(int Pid, string Host, DateTimeOffset Since)
{
    public override string ToString() =>
        $"pid {Pid.ToString(CultureInfo.InvariantCulture)} on host {Host} since {Since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}";
}

/// <summary>Another engine holds the home. The message names it, so the operator knows what to stop.</summary>
public sealed class HomeLockedException : Exception
{
    public HomeLockedException(string lockFile, HomeLockHolder? holder, Exception? innerException)
        : base($"another engine is running on this home: {holder?.ToString() ?? "holder unknown"} (lock file {lockFile})", innerException)
    {
        LockFile = lockFile;
        Holder = holder;
    }

    public HomeLockedException()
    {
        LockFile = "";
    }

    public HomeLockedException(string message)
        : base(message)
    {
        LockFile = "";
    }

    public HomeLockedException(string message, Exception innerException)
        : base(message, innerException)
    {
        LockFile = "";
    }

    public string LockFile { get; }

    public HomeLockHolder? Holder { get; }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(HomeLockHolder))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class HolderJson : System.Text.Json.Serialization.JsonSerializerContext;
