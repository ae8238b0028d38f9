using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

[Collection(DashboardGroup.Name)]
public sealed class ModelPageTests(DashboardFixture fixture)
{
    [Fact(Timeout = 90_000)]
    public async Task A_model_page_shows_its_versions_and_charts_a_metric_with_a_point_per_version()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName);
        await page.GotoAsync("/models");
        await Expect(page.GetByTestId($"model-row-{TestDags.Model}")).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "models");

        await page.GotoAsync($"/models/{TestDags.Model}");
        var versions = page.GetByTestId("model-versions");
        await Expect(versions).ToBeVisibleAsync();
        await Expect(versions.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("model-version-1")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("model-version-2")).ToBeVisibleAsync();
        await Expect(versions.Locator("thead")).ToContainTextAsync("r2");
        // Lineage: each version links back to the DAG run that trained it.
        await Expect(page.GetByTestId("model-version-1").GetByTestId("lineage-run")).ToContainTextAsync(TestDags.Retrain);

        var chart = page.Locator($"svg[data-testid='metric-chart']");
        await Expect(chart).ToBeVisibleAsync();
        await Expect(chart.Locator("circle.point")).ToHaveCountAsync(2);
        await Expect(chart.Locator("path.line")).ToHaveAttributeAsync("d", new System.Text.RegularExpressions.Regex("^M[^L]+L"));

        // Another metric redraws the chart, still one point per version.
        await page.GetByTestId("metric-select").SelectOptionAsync("rmse");
        await Expect(chart).ToHaveAttributeAsync("aria-label", "rmse across versions");
        await Expect(chart.Locator("circle.point")).ToHaveCountAsync(2);
        await fixture.ScreenshotAsync(page, "model");
        await page.Context.CloseAsync();
    }
}
