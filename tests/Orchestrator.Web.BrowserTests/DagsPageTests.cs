using System.Text.Json;
using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

[Collection(DashboardGroup.Name)]
public sealed class DagsPageTests(DashboardFixture fixture)
{
    [Fact(Timeout = 90_000)]
    public async Task An_operator_pauses_a_DAG_with_its_toggle_and_it_stays_paused_after_a_reload_and_in_the_API()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.OperatorName);
        var toggle = page.GetByTestId($"dag-row-{TestDags.Pausable}").GetByTestId("pause-toggle");
        await Expect(toggle).ToHaveAttributeAsync("data-paused", "false");

        // The switch's checkbox is drawn by its label (the input itself is hidden): click the switch as a user does.
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("data-paused", "true");

        await page.ReloadAsync();
        var reloaded = page.GetByTestId($"dag-row-{TestDags.Pausable}").GetByTestId("pause-toggle");
        await Expect(reloaded).ToHaveAttributeAsync("data-paused", "true");
        await Expect(reloaded.Locator("input")).Not.ToBeCheckedAsync();
        await fixture.ScreenshotAsync(page, "dags-paused");

        var response = await page.APIRequest.GetAsync($"/api/v1/dags/{TestDags.Pausable}");
        Assert.True(response.Ok, $"GET /api/v1/dags/{TestDags.Pausable}: {response.Status}");
        using var dag = JsonDocument.Parse(await response.TextAsync());
        Assert.True(dag.RootElement.GetProperty("isPaused").GetBoolean(), "the API still says the DAG is active");

        await page.GotoAsync($"/dags/{TestDags.Pausable}");
        await Expect(page.GetByTestId("dag-paused")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact(Timeout = 90_000)]
    public async Task The_import_error_banner_names_the_broken_file()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName);
        var banner = page.GetByTestId("import-errors");
        await Expect(banner).ToBeVisibleAsync();
        await Expect(banner.GetByTestId("import-error")).ToHaveCountAsync(1);
        await Expect(banner.GetByTestId("import-error")).ToContainTextAsync(TestDags.BrokenFile);
        await Expect(banner.GetByTestId("import-error").Locator(".import-message")).Not.ToBeEmptyAsync();
        // The good files still load next to the broken one.
        await Expect(page.GetByTestId($"dag-row-{TestDags.FanOut}")).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "dags-import-errors");
        await page.Context.CloseAsync();
    }
}
