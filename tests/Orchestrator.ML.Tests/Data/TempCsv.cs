using System.Text;

namespace Orchestrator.ML.Tests.Data;

/// <summary>A CSV file in a fresh temp folder, deleted with the folder on dispose.</summary>
internal sealed class TempCsv : IDisposable
{
    private readonly string _folder;

    private TempCsv(byte[] bytes, string name)
    {
        _folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mldata-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        Path = System.IO.Path.Combine(_folder, name);
        File.WriteAllBytes(Path, bytes);
        Bytes = bytes;
    }

    public string Path { get; }

    public byte[] Bytes { get; }

    public static TempCsv Text(string text, string name = "data.csv") => new(new UTF8Encoding(false).GetBytes(text), name);

    public static TempCsv Raw(byte[] bytes, string name = "data.csv") => new(bytes, name);

    /// <summary>The first <paramref name="lines"/> lines (header included) of a repository sample file.</summary>
    public static TempCsv Sample(string relativePath, int lines)
    {
        var text = string.Join('\n', File.ReadLines(RepoFile(relativePath)).Take(lines)) + "\n";
        return Text(text, System.IO.Path.GetFileName(relativePath));
    }

    public static string RepoFile(string relativePath)
    {
        var folder = AppContext.BaseDirectory;
        while (folder is not null && !File.Exists(System.IO.Path.Combine(folder, "Orchestrator.sln")))
        {
            folder = System.IO.Path.GetDirectoryName(folder);
        }

        return System.IO.Path.Combine(folder ?? throw new InvalidOperationException("repository root not found"), relativePath);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
