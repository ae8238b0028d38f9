using System.Text;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tests.Tasks;

/// <summary>Model versions put straight into a home's registry, for tests about what tasks do to an existing model
/// (deploys, failed registers): their packages are never read, so their artifacts are plain bytes.</summary>
internal static class RegistryFixtures
{
    public static async Task RegisterPlaceholdersAsync(MlHome home, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var artifact = await home.Artifacts.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes($"placeholder package {i}")), default);
            var (version, created) = await home.Store.Models.RegisterVersionAsync(
                new NewModelVersion(MlHome.Model, artifact.Digest, "{}", null, null, "{}", "{}", new RunLineage(null, null, null, null)),
                home.Time.GetUtcNow(), default);
            Assert.True(created);
            Assert.Equal(i, version.Version);
        }
    }

    public static Task DeployAsync(MlHome home, int version) =>
        home.Store.Models.SetAliasAsync(MlHome.Model, "production", version, "test", "set up by the test", home.Time.GetUtcNow(), default);
}
