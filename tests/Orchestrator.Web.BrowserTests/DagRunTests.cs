using System.Text.Json;
using Microsoft.Playwright;
using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

/// <summary>The DAG page as an operator uses it: trigger, watch, open a failed task, clear it.</summary>
[Collection(DashboardGroup.Name)]
public sealed class DagRunTests(DashboardFixture fixture)
{
    private static readonly LocatorAssertionsToHaveAttributeOptions RunTime = new() { Timeout = 60_000 };

    [Fact(Timeout = 120_000)]
    public async Task A_run_triggered_from_the_conf_form_turns_green_in_the_grid_without_a_reload()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.OperatorName);
        await page.GotoAsync($"/dags/{TestDags.FanOut}");
        await Expect(page.GetByTestId("dag-id")).ToHaveTextAsync(TestDags.FanOut);
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        await page.GetByTestId("trigger-button").ClickAsync();
        await Expect(page.GetByTestId("trigger-form")).ToBeVisibleAsync();
        // The form checks the conf against the params' types before sending anything.
        await page.GetByTestId("trigger-field-rows").FillAsync("");
        await page.GetByTestId("trigger-submit").ClickAsync();
        await Expect(page.GetByTestId("trigger-error-rows")).ToContainTextAsync("expected an integer");
        await page.GetByTestId("trigger-field-rows").FillAsync("7");
        await page.GetByTestId("trigger-field-who").FillAsync("playwright");
        await fixture.ScreenshotAsync(page, "dag-trigger");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByTestId("trigger-submit").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith($"/api/v1/dags/{TestDags.FanOut}/runs", StringComparison.Ordinal));
        Assert.True(response.Ok, $"trigger answered {response.Status}: {await response.TextAsync()}");
        using var run = JsonDocument.Parse(await response.TextAsync());
        var runId = run.RootElement.GetProperty("runId").GetString()!;

        // The page went back to the grid by itself and shows the new run's column filling in.
        await Expect(page.GetByTestId("grid")).ToBeVisibleAsync();
        foreach (var task in TestDags.FanOutTasks)
        {
            await Expect(page.GetByTestId($"grid-cell-{runId}-{task}")).ToHaveAttributeAsync("data-state", "success", RunTime);
        }

        await Expect(page.GetByTestId($"grid-run-{runId}")).ToHaveAttributeAsync("data-state", "success", RunTime);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded while the run progressed");
        await fixture.ScreenshotAsync(page, "dag-grid");

        // The conf typed into the form is the run's conf.
        var detail = await page.APIRequest.GetAsync($"/api/v1/runs/{runId}");
        var conf = JsonDocument.Parse(await detail.TextAsync()).RootElement.GetProperty("conf");
        Assert.Equal("playwright", conf.GetProperty("who").GetString());
        Assert.Equal(7, conf.GetProperty("rows").GetInt32());
        await page.Context.CloseAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task A_failed_tasks_log_shows_the_failure_and_Clear_retries_it_until_green()
    {
        var runId = fixture.FlakyRunId;
        var page = await fixture.SignedInPageAsync(DashboardFixture.OperatorName);
        await page.GotoAsync($"/dags/{TestDags.Flaky}");
        var cell = page.GetByTestId($"grid-cell-{runId}-flaky");
        await Expect(cell).ToHaveAttributeAsync("data-state", "failed", RunTime);

        await cell.ClickAsync();
        var panel = page.GetByTestId("task-panel");
        await Expect(panel).ToBeVisibleAsync();
        await Expect(panel.GetByTestId("panel-task")).ToHaveTextAsync("flaky");
        await Expect(panel.GetByTestId("panel-state")).ToHaveAttributeAsync("data-state", "failed");
        await Expect(panel.GetByTestId("panel-log-try")).ToHaveValueAsync("1");
        await Expect(panel.GetByTestId("panel-log")).ToContainTextAsync("upstream service unavailable");
        await Expect(panel.GetByTestId("panel-log-status")).ToHaveTextAsync("complete");
        await fixture.ScreenshotAsync(page, "task-panel-failed");

        await panel.GetByTestId("panel-clear-downstream").CheckAsync();
        await panel.GetByTestId("panel-clear").ClickAsync();
        await Expect(page.GetByTestId("confirm-dialog")).ToBeVisibleAsync();
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Expect(page.GetByTestId("toast-info")).ToContainTextAsync("Cleared");

        // Try 2 appears, runs, and is green; the task after it runs too.
        await Expect(panel.GetByTestId("panel-log-try").Locator("option")).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        await Expect(panel.GetByTestId("panel-state")).ToHaveAttributeAsync("data-state", "success", RunTime);
        await Expect(cell).ToHaveAttributeAsync("data-state", "success", RunTime);
        await Expect(page.GetByTestId($"grid-cell-{runId}-after")).ToHaveAttributeAsync("data-state", "success", RunTime);
        await Expect(panel.GetByTestId("panel-log-try")).ToHaveValueAsync("2");
        await Expect(panel.GetByTestId("panel-log")).ToContainTextAsync("second time lucky");
        await Expect(panel.GetByTestId("panel-tries").Locator("tbody tr")).ToHaveCountAsync(2);
        await fixture.ScreenshotAsync(page, "task-panel-retried");

        // Try 1's log is still there, with its failure.
        await panel.GetByTestId("panel-log-try").SelectOptionAsync("1");
        await Expect(panel.GetByTestId("panel-log")).ToContainTextAsync("upstream service unavailable");
        await page.Context.CloseAsync();
    }

    [Fact(Timeout = 90_000)]
    public async Task The_graph_and_Gantt_tabs_draw_the_run_as_SVG()
    {
        var runId = fixture.FanOutRunId;
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName);
        await page.GotoAsync($"/dags/{TestDags.FanOut}?run={Uri.EscapeDataString(runId)}");
        await Expect(page.GetByTestId($"grid-run-{runId}")).ToHaveAttributeAsync("data-state", "success", RunTime);

        await page.GetByTestId("tab-graph").ClickAsync();
        var graph = page.GetByTestId("graph");
        await Expect(graph.Locator("svg")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("run-picker")).ToHaveValueAsync(runId);
        foreach (var task in TestDags.FanOutTasks)
        {
            var node = graph.Locator($"svg [data-testid='graph-node-{task}']");
            await Expect(node).ToBeVisibleAsync();
            await Expect(node).ToHaveAttributeAsync("data-state", "success");
        }

        await Expect(graph.Locator("svg path.edge")).ToHaveCountAsync(6); // start→3, 3→join
        await fixture.ScreenshotAsync(page, "dag-graph");

        await page.GetByTestId("tab-gantt").ClickAsync();
        var gantt = page.GetByTestId("gantt");
        await Expect(gantt.Locator("svg")).ToBeVisibleAsync();
        foreach (var task in TestDags.FanOutTasks)
        {
            await Expect(gantt.Locator($"svg [data-testid='gantt-bar-{task}-1']")).ToBeVisibleAsync();
        }

        await fixture.ScreenshotAsync(page, "dag-gantt");

        await page.GetByTestId("tab-code").ClickAsync();
        await Expect(page.GetByTestId("dag-source")).ToContainTextAsync("\"fan_out\"");
        await fixture.ScreenshotAsync(page, "dag-code");
        await page.Context.CloseAsync();
    }
}
