using Orchestrator.Secrets.Keys;

namespace Orchestrator.Secrets.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes
public sealed class SecretKeysTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-keys-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Func<string, string?> Env(string? key) => name => name == SecretKeys.EnvironmentVariable ? key : null;

    [Fact]
    public void WithoutTheVariable_AKeyFileIsCreated0600_InA0700Home_AndReusedAfter()
    {
        var home = Path.Combine(_root, "home");

        var first = SecretKeys.Load(home, environment: Env(null));
        var second = SecretKeys.Load(home, environment: Env(null));

        var file = Path.Combine(home, SecretKeys.FileName);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(file, first.Source);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home));
        Assert.Single(Directory.GetFiles(home)); // no temporary file left behind
    }

    [Fact]
    public void AKeyFileReadableByOthers_IsTightened()
    {
        var home = Path.Combine(_root, "home");
        var key = SecretKeys.Load(home, environment: Env(null));
        var file = Path.Combine(home, SecretKeys.FileName);
        File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
        File.SetUnixFileMode(home, (UnixFileMode)0b111_101_101);

        Assert.Equal(key.Id, SecretKeys.Load(home, environment: Env(null)).Id);
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(file));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(home));
    }

    [Fact]
    public void TheEnvironmentVariable_WinsOverTheFile_AndCreatesNoFile()
    {
        var material = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var home = Path.Combine(_root, "home");

        var key = SecretKeys.Load(home, environment: Env(Convert.ToBase64String(material)));

        Assert.Equal(new SecretKey(material, "x").Id, key.Id);
        Assert.Equal(SecretKeys.EnvironmentVariable, key.Source);
        Assert.False(Directory.Exists(home));
    }

    [Theory]
    [InlineData("not base64!", "ORCHESTRATOR_SECRET_KEY is not base64")]
    [InlineData("AAAA", "ORCHESTRATOR_SECRET_KEY holds 3 bytes: it must hold a 32-byte key in base64")]
    public void ABadVariable_SaysWhatIsExpected(string value, string message)
    {
        var error = Assert.Throws<SecretKeyException>(() => SecretKeys.Load(_root, environment: Env(value)));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadKeyFile_IsNamedInTheError()
    {
        var file = Path.Combine(_root, SecretKeys.FileName);
        File.WriteAllText(file, Convert.ToBase64String(new byte[10]));

        var error = Assert.Throws<SecretKeyException>(() => SecretKeys.Load(_root, environment: Env(null)));

        Assert.StartsWith($"{file} holds 10 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConcurrentFirstUses_AllGetTheSameKey()
    {
        var home = Path.Combine(_root, "home");

        var ids = Enumerable.Range(0, 8).AsParallel().Select(_ => SecretKeys.Load(home, environment: Env(null)).Id).Distinct().ToList();

        Assert.Single(ids);
    }
}
