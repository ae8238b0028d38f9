using System.Text.Json;
using Microsoft.Playwright;
using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

/// <summary>The task-instance panel while a task runs (its log grows live) and after one failed (mark success).</summary>
[Collection(DashboardGroup.Name)]
public sealed class TaskPanelTests(DashboardFixture fixture)
{
    private static readonly LocatorAssertionsToHaveAttributeOptions RunTime = new() { Timeout = 60_000 };

    [Fact(Timeout = 120_000)]
    public async Task A_running_tasks_log_gains_lines_in_the_open_panel_before_the_try_ends()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.OperatorName);
        await page.GotoAsync($"/dags/{TestDags.Chatty}");
        await Expect(page.GetByTestId("dag-id")).ToHaveTextAsync(TestDags.Chatty);
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        await page.GetByTestId("trigger-button").ClickAsync();
        await Expect(page.GetByTestId("trigger-form")).ToBeVisibleAsync();

        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByTestId("trigger-submit").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith($"/api/v1/dags/{TestDags.Chatty}/runs", StringComparison.Ordinal));
        Assert.True(response.Ok, $"trigger answered {response.Status}: {await response.TextAsync()}");
        using var run = JsonDocument.Parse(await response.TextAsync());
        var runId = run.RootElement.GetProperty("runId").GetString()!;

        var cell = page.GetByTestId($"grid-cell-{runId}-talk");
        await Expect(cell).ToHaveAttributeAsync("data-state", "running", RunTime);
        await cell.ClickAsync();
        var panel = page.GetByTestId("task-panel");
        await Expect(panel.GetByTestId("panel-state")).ToHaveAttributeAsync("data-state", "running");
        // Lines seen while running, then more lines while STILL running: the log grows without a reload.
        await WhileRunningAsync(page, 0, "the log showed no line while the task ran");
        var seen = await panel.GetByTestId("panel-log").Locator(".log-line").CountAsync();
        Assert.True(seen < TestDags.ChattyLines, $"the whole log ({seen} lines) was there at the first look: the try ended too soon to watch it grow");
        await WhileRunningAsync(page, seen, $"the log stayed at {seen} lines while the task ran");
        await fixture.ScreenshotAsync(page, "task-panel-live-log");

        // The try ends: every line is there once, the cell and the panel turn green, the stream says complete.
        await Expect(cell).ToHaveAttributeAsync("data-state", "success", RunTime);
        await Expect(panel.GetByTestId("panel-state")).ToHaveAttributeAsync("data-state", "success", RunTime);
        await Expect(panel.GetByTestId("panel-log-status")).ToHaveTextAsync("complete");
        await Expect(panel.GetByTestId("panel-log")).ToContainTextAsync($"chatty line {TestDags.ChattyLines}");
        await Expect(panel.GetByTestId("panel-log").Locator(".log-line", new() { HasTextRegex = new("chatty line \\d+\\s*$") }))
            .ToHaveCountAsync(TestDags.ChattyLines);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded while the task ran");
        await fixture.ScreenshotAsync(page, "task-panel-live-log-complete");
        await page.Context.CloseAsync();
    }

    /// <summary>Waits until the open panel's log has more than <paramref name="lines"/> lines while the task and its log stream still say running / live.</summary>
    private static async Task WhileRunningAsync(IPage page, int lines, string failure)
    {
        try
        {
            await page.WaitForFunctionAsync(
                """
                (lines) => document.querySelectorAll('[data-testid="panel-log"] .log-line').length > lines
                  && document.querySelector('[data-testid="panel-state"]')?.dataset.state === 'running'
                  && document.querySelector('[data-testid="panel-log-status"]')?.textContent.includes('live')
                """,
                lines, new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 100 });
        }
        catch (Exception exception) when (exception is System.TimeoutException or PlaywrightException)
        {
            throw new Xunit.Sdk.XunitException($"{failure}: {exception.Message}");
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Marking_a_failed_task_success_from_the_panel_turns_it_green_and_runs_its_downstream()
    {
        var runId = fixture.AlwaysFailsRunId;
        var page = await fixture.SignedInPageAsync(DashboardFixture.OperatorName);
        await page.GotoAsync($"/dags/{TestDags.AlwaysFails}");
        var boom = page.GetByTestId($"grid-cell-{runId}-boom");
        var after = page.GetByTestId($"grid-cell-{runId}-after");
        await Expect(boom).ToHaveAttributeAsync("data-state", "failed", RunTime);
        await Expect(after).ToHaveAttributeAsync("data-state", "upstream_failed", RunTime);
        await Expect(page.GetByTestId($"grid-run-{runId}")).ToHaveAttributeAsync("data-state", "failed", RunTime);

        await boom.ClickAsync();
        var panel = page.GetByTestId("task-panel");
        await Expect(panel.GetByTestId("panel-state")).ToHaveAttributeAsync("data-state", "failed");
        await panel.GetByTestId("panel-mark-success").ClickAsync();
        await Expect(page.GetByTestId("confirm-dialog")).ToContainTextAsync("success");
        await fixture.ScreenshotAsync(page, "task-panel-mark-success-confirm");
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Expect(page.GetByTestId("toast-info")).ToContainTextAsync("marked success");

        await Expect(panel.GetByTestId("panel-state")).ToHaveAttributeAsync("data-state", "success", RunTime);
        await Expect(boom).ToHaveAttributeAsync("data-state", "success", RunTime);
        await Expect(after).ToHaveAttributeAsync("data-state", "success", RunTime);
        await Expect(page.GetByTestId($"grid-run-{runId}")).ToHaveAttributeAsync("data-state", "success", RunTime);
        await Expect(panel.GetByTestId("panel-history")).ToContainTextAsync($"marked success by {DashboardFixture.OperatorName}");
        await fixture.ScreenshotAsync(page, "task-panel-marked-success");

        // boom never ran again (still one try); after really ran.
        await Expect(panel.GetByTestId("panel-tries").Locator("tbody tr")).ToHaveCountAsync(1);
        await after.ClickAsync();
        await Expect(panel.GetByTestId("panel-task")).ToHaveTextAsync("after");
        await Expect(panel.GetByTestId("panel-log")).ToContainTextAsync("after boom");
        await page.Context.CloseAsync();
    }
}
