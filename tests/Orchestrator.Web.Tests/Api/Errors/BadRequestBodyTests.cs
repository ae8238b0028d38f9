using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.Web.Security;
using Orchestrator.Web.Tests.Api.Dags;

namespace Orchestrator.Web.Tests.Api.Errors;

/// <summary>Bodies that do not bind get a problem-details answer with a detail saying what was expected and, where
/// the JSON path names it, the field — and reach no use case.</summary>
public sealed class BadRequestBodyTests : IAsyncLifetime
{
    private const string Patch = "/api/v1/dags/etl";
    private const string Clear = "/api/v1/runs/manual__1/tasks/extract/clear";
    private const string Trigger = "/api/v1/dags/etl/runs";

    private DagApiApp _app = null!;

    public async Task InitializeAsync() => _app = await DagApiApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static TheoryData<string, string, string, string?, string> Cases() => new()
    {
        { "PATCH", Patch, """{"isPaused":"yes"}""", "isPaused", "isPaused must be true or false" },
        { "POST", Clear, """{"downstream":"yes"}""", "downstream", "downstream must be true or false" },
        { "PATCH", Patch, "[]", null, "the body must be a JSON object like {\"isPaused\": true|false}" },
        { "POST", Clear, "[]", null, "the body must be a JSON object like {\"downstream\": true|false}" },
        { "PATCH", Patch, """{"isPaused": tru""", null, "the body is not valid JSON (line 1, position " },
        { "POST", Trigger, """{"conf": {"a": }""", null, "the body is not valid JSON (line 1, position " },
        { "POST", Trigger, "{\"conf\": " + new string('[', 200) + new string(']', 200) + "}", null, "the body is nested too deeply (" },
        { "POST", Trigger, """{"conf": {"minRows": 1}""", null, "the body is not valid JSON (line 1, position " },
        { "POST", Trigger, """{"config": {"minRows": 1}}""", "config", "config is not a field of this body; expected " },
        { "PATCH", Patch, """{"isPaused": true, "paused": true}""", "paused", "paused is not a field of this body; expected " },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ABodyThatDoesNotBind_GetsADetail_AndTheField(string method, string path, string body, string? field, string detail)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        var response = await _app.ClientAs(OrchestratorRoles.Operator).SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.StartsWith(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(field, problem.TryGetProperty("field", out var named) ? named.GetString() : null);
        Assert.Empty(_app.Commands.Calls);
    }
}
