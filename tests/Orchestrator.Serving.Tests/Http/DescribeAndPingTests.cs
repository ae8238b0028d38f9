using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.ML.Models;
using Orchestrator.Serving.Tests.Fixtures;

namespace Orchestrator.Serving.Tests.Http;

public sealed class DescribeAndPingTests
{
    [Fact]
    public async Task Get_model_describes_versions_aliases_and_signature()
    {
        await using var host = await ServingHost.StartAsync();
        await host.RegisterAsync("taxi", MlTask.Regression);
        await host.RegisterAsync("taxi", MlTask.Regression, fareScale: 100);
        await host.SetAliasAsync("taxi", "production", 1);
        await host.SetAliasAsync("taxi", "challenger", 2);

        var response = await host.Client.GetAsync("/models/taxi");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var model = JsonNode.Parse(text)!;
        Assert.Equal("taxi", (string?)model["name"]);
        Assert.Equal(1, (int)model["aliases"]!["production"]!);
        Assert.Equal(2, (int)model["aliases"]!["challenger"]!);
        Assert.Equal("regression", (string?)model["signature"]!["task"]);
        var versions = model["versions"]!.AsArray();
        Assert.Equal([2, 1], versions.Select(v => (int)v!["version"]!));
        Assert.Equal("challenger", (string?)versions[0]!["aliases"]![0]);
        Assert.Equal(0.9, (double)versions[1]!["metrics"]!["r2"]!);
        Assert.Equal("taxi", (string?)versions[1]!["createdBy"]!["dagId"]);
    }

    [Fact]
    public async Task Get_unknown_model_is_404_in_mlflow_shape()
    {
        await using var host = await ServingHost.StartAsync();
        var response = await host.Client.GetAsync("/models/nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", (string?)error["error_code"]);
    }

    [Fact]
    public async Task Ping_answers_200_like_mlflow()
    {
        await using var host = await ServingHost.StartAsync();
        var response = await host.Client.GetAsync("/ping");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/health")).StatusCode);
    }
}
