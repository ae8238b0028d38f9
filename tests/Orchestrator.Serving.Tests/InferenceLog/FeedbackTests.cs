using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.ML.Models;
using Orchestrator.Serving.InferenceLog;
using Orchestrator.Serving.Tests.Fixtures;
using Orchestrator.Storage.Records;

namespace Orchestrator.Serving.Tests.InferenceLog;

/// <summary>POST /models/{name}/feedback: labels by request id and row, unknown ones reported, malformed bodies
/// refused naming the field with nothing stored, and a label for a row still queued not lost.</summary>
public sealed class FeedbackTests : IAsyncLifetime
{
    private const string Url = "/models/taxi/invocations";
    private const string Feedback = "/models/taxi/feedback";
    private SqliteLogStore _store = null!;
    private ServingHost _host = null!;

    public async Task InitializeAsync()
    {
        _store = await SqliteLogStore.OpenAsync();
        _host = await ServingHost.StartAsync(services: services => services.AddSingleton(_store.Log));
        await _host.RegisterAsync("taxi", MlTask.Regression);
        await _host.RegisterAsync("iris", MlTask.Regression);
        await _host.SetAliasAsync("taxi", "production", 1);
        await _host.SetAliasAsync("iris", "production", 1);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _store.DisposeAsync();
    }

    private static string Body(int rows) => $$"""{"dataframe_records": {{JsonSerializer.Serialize(TaxiModels.Records(rows))}}}""";

    private static async Task<string> ScoreAsync(ServingHost host, string url = Url, int rows = 2)
    {
        var response = await host.PostAsync(url, Body(rows));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(response.Headers.GetValues("X-Request-Id"));
    }

    private static async Task<JsonNode> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private async Task<IReadOnlyList<LabeledInference>> LabeledAsync(string model = "taxi") =>
        await _store.Log.ReadLabeledAsync(new InferenceWindow(model, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue.AddYears(-1)), default);

    [Fact]
    public async Task Labels_round_trip_and_unknown_ones_are_named()
    {
        var id = await ScoreAsync(_host);
        var irisId = await ScoreAsync(_host, "/models/iris/invocations", rows: 1);

        var reply = await JsonAsync(await _host.PostAsync(Feedback, $$"""
            {"labels": [
              {"requestId": "{{id}}", "row": 0, "label": 12.5},
              {"requestId": "{{id}}", "row": 1, "label": "high"},
              {"requestId": "{{id}}", "row": 2, "label": 1},
              {"requestId": "nope", "label": 3},
              {"requestId": "{{irisId}}", "label": 4}
            ]}
            """), HttpStatusCode.OK);

        Assert.Equal(2, (int)reply["accepted"]!);
        Assert.Equal([(id, 2), ("nope", 0), (irisId, 0)], reply["unknown"]!.AsArray().Select(u => ((string)u!["requestId"]!, (int)u["row"]!)));
        Assert.Equal([(id, 0, "12.5"), (id, 1, "\"high\"")], (await LabeledAsync()).Select(l => (l.Inference.RequestId, l.Inference.Row, l.Label)));
        Assert.Empty(await LabeledAsync("iris"));
        Assert.All(await LabeledAsync(), l => Assert.Equal(_host.Time.GetUtcNow(), l.LabeledAt));
    }

    [Fact]
    public async Task A_label_for_a_row_still_queued_waits_for_it_instead_of_being_lost()
    {
        var store = await SqliteLogStore.OpenAsync();
        var gated = new GatedLogStore(store.Log);
        var host = await ServingHost.StartAsync(services: services => services.AddSingleton<Storage.IInferenceLogStore>(gated));
        try
        {
            await host.RegisterAsync("taxi", MlTask.Regression);
            await host.SetAliasAsync("taxi", "production", 1);
            var id = await ScoreAsync(host, rows: 1);
            Assert.Equal(1, host.Services.GetRequiredService<InferenceLogQueue>().Pending);

            var feedback = host.PostAsync(Feedback, $$"""{"labels": [{"requestId": "{{id}}", "label": 9}]}""");
            // The first try at labelling ran while the row was still queued; only then may the writer go on.
            await gated.Labelled;
            gated.Open();

            var reply = await JsonAsync(await feedback, HttpStatusCode.OK);
            Assert.Equal(1, (int)reply["accepted"]!);
            Assert.Empty(reply["unknown"]!.AsArray());
        }
        finally
        {
            await host.DisposeAsync();
            await store.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("not json", "$")]
    [InlineData("[]", "$")]
    [InlineData("{}", "labels")]
    [InlineData("""{"labels": {}}""", "labels")]
    [InlineData("""{"labels": [], "extra": 1}""", "extra")]
    [InlineData("""{"labels": [3]}""", "labels[0]")]
    [InlineData("""{"labels": [{"requestId": "a", "label": 1}, {"row": 0, "label": 1}]}""", "labels[1].requestId")]
    [InlineData("""{"labels": [{"requestId": "", "label": 1}]}""", "labels[0].requestId")]
    [InlineData("""{"labels": [{"requestId": 5, "label": 1}]}""", "labels[0].requestId")]
    [InlineData("""{"labels": [{"requestId": "a", "row": -1, "label": 1}]}""", "labels[0].row")]
    [InlineData("""{"labels": [{"requestId": "a", "row": 1.5, "label": 1}]}""", "labels[0].row")]
    [InlineData("""{"labels": [{"requestId": "a", "row": "0", "label": 1}]}""", "labels[0].row")]
    [InlineData("""{"labels": [{"requestId": "a"}]}""", "labels[0].label")]
    [InlineData("""{"labels": [{"requestId": "a", "label": true}]}""", "labels[0].label")]
    [InlineData("""{"labels": [{"requestId": "a", "label": null}]}""", "labels[0].label")]
    [InlineData("""{"labels": [{"requestId": "a", "label": [1]}]}""", "labels[0].label")]
    [InlineData("""{"labels": [{"requestId": "a", "label": 1e999}]}""", "labels[0].label")]
    [InlineData("""{"labels": [{"requestId": "a", "label": 1, "rows": 0}]}""", "labels[0].rows")]
    public async Task A_malformed_body_is_refused_naming_the_field(string body, string field)
    {
        var error = await JsonAsync(await _host.PostAsync(Feedback, body), HttpStatusCode.BadRequest);

        Assert.Equal(field, (string?)error["field"]);
        Assert.Equal(ServingErrorCodes.InvalidParameterValue, (string?)error["error_code"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
    }

    [Fact]
    public async Task A_body_with_more_labels_than_allowed_is_refused_before_any_is_looked_up()
    {
        var id = await ScoreAsync(_host);
        var labels = string.Join(",", Enumerable.Range(0, Orchestrator.Serving.Http.FeedbackBody.MaxLabels + 1).Select(i => $$"""{"requestId": "{{id}}", "row": {{i}}, "label": 1}"""));

        var error = await JsonAsync(await _host.PostAsync(Feedback, $$"""{"labels": [{{labels}}]}"""), HttpStatusCode.BadRequest);

        Assert.Equal("labels", (string?)error["field"]);
        Assert.Contains("at most 10,000 per request", (string?)error["message"], StringComparison.Ordinal);
        await _host.Services.GetRequiredService<InferenceLogQueue>().FlushAsync(default);
        Assert.Empty(await LabeledAsync());
    }

    [Fact]
    public async Task A_body_with_one_bad_label_stores_none_of_them()
    {
        var id = await ScoreAsync(_host);

        var error = await JsonAsync(await _host.PostAsync(Feedback, $$"""
            {"labels": [{"requestId": "{{id}}", "label": 1}, {"requestId": "{{id}}", "row": 1, "label": false}]}
            """), HttpStatusCode.BadRequest);

        Assert.Equal("labels[1].label", (string?)error["field"]);
        await _host.Services.GetRequiredService<InferenceLogQueue>().FlushAsync(default);
        Assert.Empty(await LabeledAsync());
    }

    [Fact]
    public async Task An_unknown_model_is_404_and_a_non_json_body_400()
    {
        var missing = await JsonAsync(await _host.PostAsync("/models/nobody/feedback", """{"labels": []}"""), HttpStatusCode.NotFound);
        Assert.Equal(ServingErrorCodes.ResourceDoesNotExist, (string?)missing["error_code"]);

        var csv = await JsonAsync(await _host.PostAsync(Feedback, "requestId,label\na,1", "text/csv"), HttpStatusCode.BadRequest);
        Assert.Equal("Content-Type", (string?)csv["field"]);
    }
}
