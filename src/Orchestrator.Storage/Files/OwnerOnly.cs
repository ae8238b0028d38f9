using Microsoft.Extensions.Logging;

namespace Orchestrator.Storage.Files;

/// <summary>Keeps the orchestrator's state readable by its own user only: folders 0700, files 0600. The home holds
/// the metadata database and the secret key, so group or world access would hand out every secret. What exists
/// with wider permissions is tightened, and the change is logged. A no-op on Windows (no Unix modes).</summary>
public static class OwnerOnly
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupAndOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates the folder (and missing parents) 0700, or tightens an existing one.</summary>
    public static void EnsureFolder(string path, ILogger? logger = null)
    {
        if (!Directory.Exists(path))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
                return;
            }

            Directory.CreateDirectory(path, FolderMode);
            return;
        }

        Tighten(path, logger);
    }

    /// <summary>Creates the folder 0700 when it is missing; an existing folder is left alone (it may be a
    /// shared place the operator chose, such as /tmp for <c>sqlite:/tmp/x.db</c>).</summary>
    public static void CreateFolderIfMissing(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, FolderMode);
        }
    }

    /// <summary>Creates an empty file 0600 when it is missing, or tightens an existing one.</summary>
    public static void EnsureFile(string path, ILogger? logger = null)
    {
        if (!File.Exists(path) && !OperatingSystem.IsWindows())
        {
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = System.IO.FileMode.OpenOrCreate,
                Access = FileAccess.Write,
                UnixCreateMode = FileMode,
            });
        }

        Tighten(path, logger);
    }

    /// <summary>Removes group and other permissions from an existing file or folder; false when there was nothing
    /// to do (missing, already owner-only, or Windows).</summary>
    public static bool Tighten(string path, ILogger? logger = null)
    {
        if (OperatingSystem.IsWindows() || !Path.Exists(path))
        {
            return false;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupAndOther) == 0)
        {
            return false;
        }

        var tightened = mode & ~GroupAndOther;
        File.SetUnixFileMode(path, tightened);
        logger?.LogWarning("{Path} was readable by other users ({Old}); its permissions are now {New}", path, Octal(mode), Octal(tightened));
        return true;
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
