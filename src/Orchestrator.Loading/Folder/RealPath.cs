namespace Orchestrator.Loading.Folder;

/// <summary>The canonical path of a file or folder with every symbolic link along it resolved (like POSIX
/// <c>realpath</c>), so one file reached through several links, or a folder reached again through a loop, is
/// recognised as the same. Built on <see cref="FileSystemInfo.LinkTarget"/> to stay portable.</summary>
public static class RealPath
{
    /// <summary>As the kernel does (Linux's ELOOP limit): more links than this on one path is a loop.</summary>
    private const int MaxLinks = 40;

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    /// <summary>Resolves <paramref name="path"/>; a part that does not exist is kept as written.</summary>
    /// <exception cref="IOException">The path goes through a loop of links.</exception>
    public static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        // Parts still to walk, first on top; a link's target parts are pushed in front of the rest.
        var pending = new Stack<string>(Split(full[root.Length..]).Reverse());
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                // After resolving, 'current' has no links left, so its lexical parent is its real parent.
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Join(current, part);
            var target = LinkTargetOf(next);
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"'{path}' goes through more than {MaxLinks} symbolic links (a loop?)");
            }

            foreach (var targetPart in Split(target).Reverse())
            {
                pending.Push(targetPart);
            }

            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target)!;
            }
        }

        return current;
    }

    // Reads the link itself (never its target), so it works for links to folders and dangling links alike.
    private static string? LinkTargetOf(string path) => new FileInfo(path).LinkTarget;

    private static string[] Split(string path) =>
        path[(Path.GetPathRoot(path)?.Length ?? 0)..].Split(Separators, StringSplitOptions.RemoveEmptyEntries);
}
