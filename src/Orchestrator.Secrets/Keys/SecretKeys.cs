using Microsoft.Extensions.Logging;
using Orchestrator.Storage.Files;

namespace Orchestrator.Secrets.Keys;

/// <summary>Finds the secret key: <c>ORCHESTRATOR_SECRET_KEY</c> (base64 of 32 bytes) when set, else the home's
/// <c>secret.key</c>, created with mode 0600 (in a 0700 home) on first use. Every process that reads the same
/// store must use the same key: in a cluster, set the environment variable on each of them.</summary>
public static class SecretKeys
{
    public const string EnvironmentVariable = "ORCHESTRATOR_SECRET_KEY";

    public const string FileName = "secret.key";

    /// <param name="home">The home folder, where the key file lives.</param>
    /// <param name="logger">Told when the key file is created or its permissions are tightened.</param>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    public static SecretKey Load(string home, ILogger? logger = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(home);
        var fromEnvironment = (environment ?? Environment.GetEnvironmentVariable)(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Decode(fromEnvironment, EnvironmentVariable);
        }

        var folder = Path.GetFullPath(home);
        var path = Path.Combine(folder, FileName);
        OwnerOnly.EnsureFolder(folder, logger);
        if (!File.Exists(path))
        {
            CreateKeyFile(path, logger);
        }

        OwnerOnly.Tighten(path, logger);
        return Decode(File.ReadAllText(path), path);
    }

    private static SecretKey Decode(string text, string source)
    {
        byte[] material;
        try
        {
            material = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException exception)
        {
            throw new SecretKeyException($"{source} is not base64: it must hold a {SecretKey.Length}-byte key in base64 (make one with `openssl rand -base64 32`)", exception);
        }

        if (material.Length != SecretKey.Length)
        {
            throw new SecretKeyException($"{source} holds {material.Length} bytes: it must hold a {SecretKey.Length}-byte key in base64 (make one with `openssl rand -base64 32`)");
        }

        return new SecretKey(material, source);
    }

    // Written to a private temporary file, then linked into place without overwriting: two processes starting at
    // once end up sharing whichever key was linked first, and nobody ever reads a half-written file.
    private static void CreateKeyFile(string path, ILogger? logger)
    {
        var key = SecretKey.Generate(path);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly.FileMode;
            }

            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.WriteLine(Convert.ToBase64String(key.Material));
            }

            File.Move(temporary, path, overwrite: false);
            logger?.LogInformation("Created the secret key {Path} (mode 0600); back it up: Variables and Connections cannot be read without it", path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // another process created it first: use theirs
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
