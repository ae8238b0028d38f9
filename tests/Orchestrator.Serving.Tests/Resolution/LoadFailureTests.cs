using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Orchestrator.ML.Models;
using Orchestrator.Serving.Tests.Fixtures;

namespace Orchestrator.Serving.Tests.Resolution;

/// <summary>A registered version whose package is missing, damaged or replaced is refused with a 500 that names the
/// model and version and no file-system path; the log keeps the cause. Bytes not matching the digest are never served.</summary>
public sealed class LoadFailureTests : IAsyncLifetime
{
    private ServingHost _host = null!;
    private string _body = null!;

    public async Task InitializeAsync()
    {
        _host = await ServingHost.StartAsync();
        await _host.RegisterAsync("taxi", MlTask.Regression);
        await _host.RegisterAsync("taxi", MlTask.Regression, fareScale: 100);
        _body = JsonSerializer.Serialize(new { dataframe_records = TaxiModels.Records(1) });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<string> LoadFailureAsync(string query)
    {
        var response = await _host.PostAsync("/models/taxi/invocations" + query, _body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.InternalServerError, $"{response.StatusCode}: {text}");
        var error = JsonNode.Parse(text)!;
        Assert.Equal("INTERNAL_ERROR", (string?)error["error_code"]);
        var message = (string)error["message"]!;
        Assert.Contains("Model 'taxi' version 1 could not be loaded", message, StringComparison.Ordinal);
        Assert.DoesNotContain(_host.ArtifactFolder, message, StringComparison.Ordinal);
        Assert.DoesNotContain("/", message, StringComparison.Ordinal);
        Assert.DoesNotContain("score", message, StringComparison.Ordinal);
        return message;
    }

    private IEnumerable<string> Errors => _host.Logs.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.Text);

    [Fact]
    public async Task A_truncated_package_is_a_load_failure_without_paths()
    {
        var file = await _host.PackageFileAsync("taxi", 1);
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length / 2)]);

        await LoadFailureAsync("?version=1");
        Assert.Contains(Errors, text => text.Contains(file, StringComparison.Ordinal));
        Assert.Empty(_host.Reader.Loaded);
    }

    [Fact]
    public async Task A_missing_package_is_a_load_failure_without_paths()
    {
        await _host.SetAliasAsync("taxi", "production", 1);
        File.Delete(await _host.PackageFileAsync("taxi", 1));

        await LoadFailureAsync(string.Empty);
        Assert.Contains(Errors, text => text.Contains("could not load taxi version 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_models_bytes_under_a_digest_are_refused_and_logged()
    {
        var first = await _host.PackageFileAsync("taxi", 1);
        var original = await File.ReadAllBytesAsync(first);
        File.Copy(await _host.PackageFileAsync("taxi", 2), first, overwrite: true);

        await LoadFailureAsync("?version=1");
        Assert.Empty(_host.Reader.Loaded);
        Assert.Contains(Errors, text => text.Contains("not its recorded digest", StringComparison.Ordinal) && text.Contains(first, StringComparison.Ordinal));

        // A failed load is not cached: once the bytes are right again, the version is served.
        await File.WriteAllBytesAsync(first, original);
        var response = await _host.PostAsync("/models/taxi/invocations?version=1", _body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange((double)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["predictions"]![0]!, 2, 100);
    }
}
