using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.ML.Models;
using Orchestrator.Serving.Tests.Fixtures;

namespace Orchestrator.Serving.Tests.Http;

/// <summary>POST /models/{name}/invocations end to end: real taxi models, every payload format, every refusal.</summary>
public sealed class InvocationsTests : IAsyncLifetime
{
    private const string Url = "/models/taxi/invocations";
    private ServingHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServingHost.StartAsync(options =>
        {
            options.MaxRequestBytes = 64 * 1024;
            options.MaxRows = 500;
        });
        await _host.RegisterAsync("taxi", MlTask.Regression);
        await _host.SetAliasAsync("taxi", "production", 1);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string Records(int count) => JsonSerializer.Serialize(TaxiModels.Records(count));

    private static async Task<JsonNode> OkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {text}");
        var error = JsonNode.Parse(text)!;
        Assert.Equal(code, (string?)error["error_code"]);
        return error;
    }

    private static double[] Numbers(JsonNode reply) => [.. reply["predictions"]!.AsArray().Select(p => (double)p!)];

    [Fact]
    public async Task Every_json_format_and_csv_give_the_same_predictions()
    {
        var records = TaxiModels.Records(3);
        var columns = records[0].Keys.ToArray();
        var split = JsonSerializer.Serialize(new
        {
            dataframe_split = new { columns, data = records.Select(r => columns.Select(c => r[c])), index = new[] { 0, 1, 2 } },
        });
        var columnar = JsonSerializer.Serialize(new { inputs = columns.ToDictionary(c => c, c => records.Select(r => r[c])) });
        var csv = string.Join(',', columns) + "\n" + string.Join("\n", records.Select(r => string.Join(',', columns.Select(c => Convert.ToString(r[c], System.Globalization.CultureInfo.InvariantCulture)))));

        var expected = Numbers(await OkAsync(await _host.PostAsync(Url, $$"""{"dataframe_records": {{Records(3)}}}""")));
        Assert.Equal(3, expected.Length);
        Assert.All(expected, fare => Assert.InRange(fare, 2, 100));
        Assert.Equal(expected, Numbers(await OkAsync(await _host.PostAsync(Url, $$"""{"instances": {{Records(3)}}}"""))));
        Assert.Equal(expected, Numbers(await OkAsync(await _host.PostAsync(Url, $$"""{"inputs": {{Records(3)}}}"""))));
        Assert.Equal(expected, Numbers(await OkAsync(await _host.PostAsync(Url, columnar))));
        Assert.Equal(expected, Numbers(await OkAsync(await _host.PostAsync(Url, split))));
        Assert.Equal(expected, Numbers(await OkAsync(await _host.PostAsync(Url, csv, "text/csv"))));
    }

    [Fact]
    public async Task Predictions_follow_the_inputs()
    {
        static string Trip(double distance, int seconds) =>
            $$"""{"dataframe_records": [{"vendor_id": "CMT", "rate_code": 1, "passenger_count": 1, "trip_time_in_secs": {{seconds}}, "trip_distance": {{distance}}, "payment_type": "CRD"}]}""";
        var shortTrip = Numbers(await OkAsync(await _host.PostAsync(Url, Trip(0.5, 120))))[0];
        var longTrip = Numbers(await OkAsync(await _host.PostAsync(Url, Trip(12, 2400))))[0];
        Assert.True(longTrip > shortTrip * 2, $"short {shortTrip}, long {longTrip}");
    }

    [Fact]
    public async Task Extra_columns_are_ignored()
    {
        var plain = Numbers(await OkAsync(await _host.PostAsync(Url, $$"""{"dataframe_records": {{Records(2)}}}""")));
        var withExtra = Records(2).Replace("{\"vendor_id\"", "{\"fare_amount\": 99, \"note\": \"x\", \"vendor_id\"", StringComparison.Ordinal);
        Assert.Equal(plain, Numbers(await OkAsync(await _host.PostAsync(Url, $$"""{"dataframe_records": {{withExtra}}}"""))));
    }

    [Fact]
    public async Task Replies_name_the_version_that_answered()
    {
        var response = await _host.PostAsync(Url, $$"""{"dataframe_records": {{Records(1)}}}""");
        await OkAsync(response);
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("X-Model-Version")));
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_missing_column_is_400_naming_it()
    {
        var body = Records(2).Replace("\"trip_distance\":", "\"distance\":", StringComparison.Ordinal);
        var error = await ErrorAsync(await _host.PostAsync(Url, $$"""{"dataframe_records": {{body}}}"""), HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Contains("'trip_distance'", (string)error["message"]!, StringComparison.Ordinal);
        Assert.Contains("Row 0", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_in_a_numeric_column_is_400_naming_column_and_row()
    {
        var rows = TaxiModels.Records(3).Select(r => new Dictionary<string, object>(r)).ToList();
        rows[2]["trip_distance"] = "far";
        var error = await ErrorAsync(await _host.PostAsync(Url, JsonSerializer.Serialize(new { dataframe_records = rows })), HttpStatusCode.BadRequest, "BAD_REQUEST");
        var message = (string)error["message"]!;
        Assert.Contains("'trip_distance'", message, StringComparison.Ordinal);
        Assert.Contains("row 2", message, StringComparison.Ordinal);
        Assert.Contains("\"far\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_is_400_with_its_position()
    {
        var error = await ErrorAsync(await _host.PostAsync(Url, "{\"dataframe_records\": [\n{\"vendor_id\": 'CMT'}]}"), HttpStatusCode.BadRequest, "MALFORMED_REQUEST");
        Assert.Contains("line 2, byte 15", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversize_body_is_413_whether_declared_or_streamed()
    {
        var big = $$$"""{"dataframe_records": {{{Records(1)}}}, "params": {"pad": "{{{new string('x', 70 * 1024)}}}"}}""";
        await ErrorAsync(await _host.PostAsync(Url, big), HttpStatusCode.RequestEntityTooLarge, "REQUEST_LIMIT_EXCEEDED");

        // No Content-Length: the limit is enforced while reading.
        var streamed = new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(big)));
        streamed.Headers.ContentType = new("application/json");
        await ErrorAsync(await _host.Client.PostAsync(Url, streamed), HttpStatusCode.RequestEntityTooLarge, "REQUEST_LIMIT_EXCEEDED");
    }

    [Fact]
    public async Task Too_many_rows_is_413()
    {
        var error = await ErrorAsync(await _host.PostAsync(Url, $$"""{"dataframe_records": {{Records(501)}}}"""), HttpStatusCode.RequestEntityTooLarge, "REQUEST_LIMIT_EXCEEDED");
        Assert.Contains("500 rows", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_model_alias_and_version_are_404()
    {
        var body = $$"""{"dataframe_records": {{Records(1)}}}""";
        var model = await ErrorAsync(await _host.PostAsync("/models/nope/invocations", body), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Contains("'nope' not found", (string)model["message"]!, StringComparison.Ordinal);
        var alias = await ErrorAsync(await _host.PostAsync(Url + "?alias=staging", body), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Contains("no alias 'staging'", (string)alias["message"]!, StringComparison.Ordinal);
        var version = await ErrorAsync(await _host.PostAsync(Url + "?version=7", body), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Contains("no version 7", (string)version["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?alias=production&version=1", "not both")]
    [InlineData("?version=first", "version number")]
    [InlineData("?version=0", "version number")]
    [InlineData("?alias=a&alias=b", "given 2 times")]
    [InlineData("?details=maybe", "true or false")]
    [InlineData("?alias=", "must name an alias")]
    [InlineData("?alias=%20", "must name an alias")]
    [InlineData("?version=", "version number")]
    [InlineData("?details=", "true or false")]
    public async Task Bad_query_parameters_are_400(string query, string message)
    {
        var error = await ErrorAsync(await _host.PostAsync(Url + query, $$"""{"dataframe_records": {{Records(1)}}}"""), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Contains(message, (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsupported_content_type_is_415()
    {
        var error = await ErrorAsync(await _host.PostAsync(Url, "a=1", "application/x-www-form-urlencoded"), HttpStatusCode.UnsupportedMediaType, "BAD_REQUEST");
        Assert.Contains("application/json or text/csv", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alias_and_version_select_another_version()
    {
        await _host.RegisterAsync("taxi", MlTask.Regression, fareScale: 100);
        await _host.SetAliasAsync("taxi", "challenger", 2);
        var body = $$"""{"dataframe_records": {{Records(2)}}}""";

        var production = Numbers(await OkAsync(await _host.PostAsync(Url, body)));
        var byAlias = await _host.PostAsync(Url + "?alias=challenger", body);
        var byVersion = await _host.PostAsync(Url + "?version=2", body);
        var first = await _host.PostAsync(Url + "?version=1", body);

        Assert.Equal("2", Assert.Single(byAlias.Headers.GetValues("X-Model-Version")));
        Assert.Equal(Numbers(await OkAsync(byAlias)), Numbers(await OkAsync(byVersion)));
        Assert.Equal(production, Numbers(await OkAsync(first)));
        Assert.True(Numbers(await OkAsync(await _host.PostAsync(Url + "?alias=challenger", body)))[0] > production[0] * 20);
    }

    [Fact]
    public async Task The_hot_path_reads_no_store()
    {
        var body = $$"""{"dataframe_records": {{Records(1)}}}""";
        await OkAsync(await _host.PostAsync(Url, body));
        await OkAsync(await _host.PostAsync(Url + "?version=1", body));
        var reads = _host.Registry.Reads;
        for (var i = 0; i < 20; i++)
        {
            await OkAsync(await _host.PostAsync(i % 2 == 0 ? Url : Url + "?version=1", body));
        }

        Assert.Equal(reads, _host.Registry.Reads);
    }

    [Fact]
    public async Task Details_add_probability_and_class_scores()
    {
        await _host.RegisterAsync("expensive", MlTask.Binary);
        await _host.SetAliasAsync("expensive", "production", 1);
        await _host.RegisterAsync("band", MlTask.Multiclass);
        await _host.SetAliasAsync("band", "production", 1);
        var body = $$"""{"dataframe_records": {{Records(20)}}}""";

        var labels = (await OkAsync(await _host.PostAsync("/models/expensive/invocations", body)))["predictions"]!.AsArray();
        Assert.All(labels, label => Assert.Equal(JsonValueKind.True == label!.GetValueKind() ? JsonValueKind.True : JsonValueKind.False, label.GetValueKind()));
        Assert.Contains(labels, label => (bool)label!);
        Assert.Contains(labels, label => !(bool)label!);

        var binary = (await OkAsync(await _host.PostAsync("/models/expensive/invocations?details=true", body)))["predictions"]!.AsArray();
        for (var i = 0; i < binary.Count; i++)
        {
            Assert.Equal((bool)labels[i]!, (bool)binary[i]!["label"]!);
            Assert.InRange((double)binary[i]!["probability"]!, 0, 1);
            Assert.Equal((bool)labels[i]!, (double)binary[i]!["probability"]! >= 0.5);
        }

        var bands = (await OkAsync(await _host.PostAsync("/models/band/invocations", body)))["predictions"]!.AsArray();
        Assert.All(bands, band => Assert.Contains((string)band!, TaxiModels.Bands));
        var scored = (await OkAsync(await _host.PostAsync("/models/band/invocations?details=true", body)))["predictions"]!.AsArray();
        for (var i = 0; i < scored.Count; i++)
        {
            var scores = scored[i]!["scores"]!.AsObject();
            Assert.Equal(TaxiModels.Bands.Order(), scores.Select(s => s.Key).Order());
            Assert.Equal((string)bands[i]!, scores.MaxBy(s => (double)s.Value!).Key);
        }
    }

    /// <summary>A stream that hides its length, so the client sends the body chunked.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
