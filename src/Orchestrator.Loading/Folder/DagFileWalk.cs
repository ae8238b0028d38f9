namespace Orchestrator.Loading.Folder;

/// <summary>Finds the DAG files under a folder, following symbolic links but reading each real file once: a file
/// reached through several links is listed once (by its own path when it lies in the folder itself), and a folder
/// reached again (a loop such as <c>dags/sub/loop -&gt; ..</c>) is not walked twice.</summary>
internal sealed class DagFileWalk(Func<string, bool> isDagFile)
{
    private static readonly HashSet<string> IgnoredFolders = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", "node_modules" };

    private readonly HashSet<string> _walkedFolders = new(StringComparer.Ordinal);
    private readonly Queue<string> _linkedFolders = new();
    private readonly List<Candidate> _candidates = [];

    /// <summary>The DAG files of <paramref name="folder"/>, sorted.</summary>
    public IReadOnlyList<string> Run(string folder)
    {
        // The folder's own tree first, then the folders linked from it (breadth first), so a file is named by
        // its own path rather than through a link whenever it lies in the folder.
        Walk(folder, throughLink: false);
        while (_linkedFolders.TryDequeue(out var linked))
        {
            Walk(linked, throughLink: true);
        }

        return _candidates
            .GroupBy(candidate => candidate.RealPath, StringComparer.Ordinal)
            .Select(same => same.OrderBy(c => c.Direct ? 0 : 1).ThenBy(c => c.Path, StringComparer.Ordinal).First().Path)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private void Walk(string folder, bool throughLink)
    {
        if (TryResolve(folder) is not { } real || !_walkedFolders.Add(real))
        {
            return; // walked already through another path, or a loop of links that never reaches a folder
        }

        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (!Path.GetFileName(file).StartsWith('.') && isDagFile(file))
            {
                var isLink = new FileInfo(file).LinkTarget is not null;
                // A link that cannot be resolved keeps its own path: reading it then reports why.
                _candidates.Add(new Candidate(file, TryResolve(file) ?? file, Direct: !throughLink && !isLink));
            }
        }

        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            var name = Path.GetFileName(child);
            if (name.StartsWith('.') || IgnoredFolders.Contains(name))
            {
                continue;
            }

            if (new DirectoryInfo(child).LinkTarget is not null)
            {
                _linkedFolders.Enqueue(child);
            }
            else
            {
                Walk(child, throughLink);
            }
        }
    }

    private static string? TryResolve(string path)
    {
        try
        {
            return RealPath.Resolve(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The real paths of the folders the last <see cref="Run"/> walked, reduced to those not inside another:
    /// what a recursive file-system watcher must watch to see every change (watchers do not follow links).</summary>
    public IReadOnlyList<string> WatchRoots()
    {
        var roots = new List<string>();
        foreach (var folder in _walkedFolders.Order(StringComparer.Ordinal))
        {
            // Sorted, so a folder's ancestors come before it.
            if (!roots.Exists(root => folder.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                roots.Add(folder);
            }
        }

        return roots;
    }

    private sealed record Candidate(string Path, string RealPath, bool Direct);
}
