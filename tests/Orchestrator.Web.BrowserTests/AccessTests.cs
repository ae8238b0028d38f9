using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

/// <summary>A viewer sees what operators may do greyed out, and the server refuses it even when forced.</summary>
[Collection(DashboardGroup.Name)]
public sealed class AccessTests(DashboardFixture fixture)
{
    [Fact(Timeout = 90_000)]
    public async Task A_viewer_sees_operator_buttons_disabled_and_a_forced_action_is_refused_with_403()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName);
        await Expect(page.GetByTestId("user-role")).ToHaveTextAsync("viewer");
        await Expect(page.GetByTestId($"dag-row-{TestDags.FanOut}").GetByTestId("pause-toggle").Locator("input")).ToBeDisabledAsync();

        await page.GotoAsync($"/dags/{TestDags.FanOut}");
        await Expect(page.GetByTestId("trigger-button")).ToBeDisabledAsync();
        var cell = page.GetByTestId($"grid-cell-{fixture.FanOutRunId}-start");
        await Expect(cell).ToHaveAttributeAsync("data-state", "success", new() { Timeout = 60_000 });
        await cell.ClickAsync();
        await Expect(page.GetByTestId("panel-clear")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("panel-mark-success")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("panel-mark-failed")).ToBeDisabledAsync();

        // Forced through the page: the button enabled by hand, the refusal shown where the form shows problems.
        await page.GetByTestId("tab-trigger").ClickAsync();
        var submit = page.GetByTestId("trigger-submit");
        await Expect(submit).ToBeDisabledAsync();
        await submit.EvaluateAsync("b => { b.disabled = false; }");
        await submit.ClickAsync();
        await Expect(page.GetByTestId("trigger-problem")).ToContainTextAsync("403");
        await fixture.ScreenshotAsync(page, "viewer-refused");

        // Forced by hand with a valid CSRF token: authorization, not the token, is what refuses it.
        var status = await page.EvaluateAsync<int>("""
            async (dagId) => {
              const csrf = await (await fetch('/api/v1/csrf')).json();
              const response = await fetch(`/api/v1/dags/${dagId}`, {
                method: 'PATCH',
                headers: { 'Content-Type': 'application/json', [csrf.headerName || 'X-CSRF-TOKEN']: csrf.token },
                body: JSON.stringify({ isPaused: true }),
              });
              return response.status;
            }
            """, TestDags.FanOut);
        Assert.Equal(403, status);

        var dag = await page.APIRequest.GetAsync($"/api/v1/dags/{TestDags.FanOut}");
        Assert.Contains("\"isPaused\":false", (await dag.TextAsync()).Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }
}
