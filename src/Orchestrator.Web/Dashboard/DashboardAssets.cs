using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Orchestrator.Web.Dashboard;

/// <summary>The dashboard's static files, embedded in this assembly, and the page shell every page URL answers with.
/// Asset URLs carry a hash of all the files (<c>/ui/{version}/app.js</c>) so browsers may cache them forever: a new
/// build changes the hash, and relative ES-module imports stay inside the same versioned folder.</summary>
internal sealed class DashboardAssets
{
    internal const string RootPath = "/ui";
    private const string ShellFile = "index.html";
    private const string BasePlaceholder = "%ASSET_BASE%";

    private readonly IFileProvider _files;
    private readonly FileExtensionContentTypeProvider _contentTypes = new();

    internal DashboardAssets()
        : this(new ManifestEmbeddedFileProvider(typeof(DashboardAssets).Assembly, "Dashboard/wwwroot"))
    {
    }

    internal DashboardAssets(IFileProvider files)
    {
        _files = files;
        Version = HashOf(files);
        AssetBase = $"{RootPath}/{Version}";
        var shell = files.GetFileInfo(ShellFile);
        if (!shell.Exists)
        {
            throw new InvalidOperationException($"The dashboard shell '{ShellFile}' is not embedded in {typeof(DashboardAssets).Assembly.GetName().Name}.");
        }

        Shell = Encoding.UTF8.GetBytes(ReadAll(shell).Replace(BasePlaceholder, AssetBase, StringComparison.Ordinal));
    }

    /// <summary>Short hash of every embedded file: changes whenever any asset changes.</summary>
    internal string Version { get; }

    /// <summary>Where the shell's script and style links point: <c>/ui/{version}</c>.</summary>
    internal string AssetBase { get; }

    /// <summary>The HTML every page URL answers with (UTF-8), asset links already versioned.</summary>
    internal byte[] Shell { get; }

    /// <summary>The embedded file at <paramref name="path"/> (relative, '/'-separated), or null when there is none or
    /// the path tries to leave the asset folder.</summary>
    internal (IFileInfo File, string ContentType)? Find(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Contains("..", StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal))
        {
            return null;
        }

        var file = _files.GetFileInfo(path);
        if (!file.Exists || file.IsDirectory)
        {
            return null;
        }

        if (!_contentTypes.TryGetContentType(path, out var contentType))
        {
            return null; // only known kinds of files are served, so nothing is ever sniffed as something else
        }

        if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType is "application/javascript" or "text/javascript" or "image/svg+xml")
        {
            contentType += "; charset=utf-8";
        }

        return (file, contentType);
    }

    private static string HashOf(IFileProvider files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var count = 0;
        foreach (var (path, file) in Enumerate(files, string.Empty).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            count++;
            hash.AppendData(Encoding.UTF8.GetBytes(path));
            using var stream = file.CreateReadStream();
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            hash.AppendData(memory.ToArray());
        }

        if (count == 0)
        {
            throw new InvalidOperationException("The dashboard's embedded asset folder is empty: nothing to serve.");
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }

    private static IEnumerable<(string Path, IFileInfo File)> Enumerate(IFileProvider files, string folder)
    {
        // The manifest provider lists its root as "/" (it answers "" with nothing).
        foreach (var entry in files.GetDirectoryContents(folder.Length == 0 ? "/" : folder))
        {
            var path = folder.Length == 0 ? entry.Name : $"{folder}/{entry.Name}";
            if (entry.IsDirectory)
            {
                foreach (var inner in Enumerate(files, path))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return (path, entry);
            }
        }
    }

    private static string ReadAll(IFileInfo file)
    {
        using var reader = new StreamReader(file.CreateReadStream(), Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
