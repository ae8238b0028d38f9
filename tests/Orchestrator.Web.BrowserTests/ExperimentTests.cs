using System.Text.Json;
using Microsoft.Playwright;
using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

/// <summary>Experiments (the fixture's two trainings of tiny_retrain) and dataset profiles as a data scientist reads them.</summary>
[Collection(DashboardGroup.Name)]
public sealed class ExperimentTests(DashboardFixture fixture)
{
    private const string Metric = "rmse";

    [Fact(Timeout = 90_000)]
    public async Task The_runs_table_sorts_by_a_metric_and_two_picked_runs_compare_side_by_side()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName);
        var (experimentId, runs) = await RetrainExperimentAsync(page);
        Assert.True(runs.Count >= 2, $"expected the fixture's two trainings, got {runs.Count} tracking runs");

        await page.GotoAsync("/experiments");
        var row = page.GetByTestId($"experiment-row-{experimentId}");
        await Expect(row).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "experiments");
        await row.GetByRole(AriaRole.Link).ClickAsync();

        var table = page.GetByTestId("experiments-table");
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(runs.Count);
        var header = page.GetByTestId($"sort-metrics.{Metric}");
        await Expect(header).Not.ToHaveAttributeAsync("aria-sort", new System.Text.RegularExpressions.Regex("."));

        // A metric sorts ascending first (lower error is better), then descending; the rows follow the values.
        var ascending = runs.OrderBy(r => r.Metric).Select(r => $"tracking-run-{r.Id}").ToArray();
        await header.ClickAsync();
        await Expect(header).ToHaveAttributeAsync("aria-sort", "ascending");
        await ExpectRowOrderAsync(page, ascending);
        await fixture.ScreenshotAsync(page, "experiment-sorted-ascending");

        await header.ClickAsync();
        await Expect(header).ToHaveAttributeAsync("aria-sort", "descending");
        await ExpectRowOrderAsync(page, [.. ascending.Reverse()]);
        await fixture.ScreenshotAsync(page, "experiment-sorted-descending");

        var compare = page.GetByTestId("compare-button");
        await Expect(compare).ToHaveAttributeAsync("aria-disabled", "true");
        var (a, b) = (runs[0], runs[1]);
        await page.GetByTestId($"pick-{a.Id}").CheckAsync();
        await page.GetByTestId($"pick-{b.Id}").CheckAsync();
        await Expect(compare).ToHaveAttributeAsync("aria-disabled", "false");
        await compare.ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/experiments/compare\\?a="));
        // Both runs' values, with what differs flagged: the seed and the metrics it moved; the trainer is the same.
        var metricRow = page.GetByTestId($"compare-row-metrics-{Metric}");
        await Expect(metricRow).ToHaveAttributeAsync("data-differs", "true");
        await Expect(metricRow.Locator("td").Nth(0)).Not.ToHaveTextAsync("—");
        await Expect(metricRow.Locator("td").Nth(1)).Not.ToHaveTextAsync("—");
        foreach (var (name, value) in a.Params)
        {
            var paramRow = page.GetByTestId($"compare-row-params-{name}");
            var differs = !b.Params.TryGetValue(name, out var other) || other != value;
            await Expect(paramRow).ToHaveAttributeAsync("data-differs", differs ? "true" : "false");
        }

        Assert.Contains(a.Params.Keys, name => !b.Params.TryGetValue(name, out var other) || other != a.Params[name]);
        Assert.Contains(a.Params.Keys, name => b.Params.TryGetValue(name, out var other) && other == a.Params[name]);
        await fixture.ScreenshotAsync(page, "experiment-compare");
        await page.Context.CloseAsync();
    }

    [Fact(Timeout = 90_000)]
    public async Task A_dataset_version_page_draws_a_histogram_for_a_numeric_column_and_top_values_for_a_categorical_one()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName);
        await page.GotoAsync("/datasets");
        var rows = page.GetByTestId("datasets-table").Locator("tbody tr[data-testid^='dataset-row-taxi-sample-']");
        await Expect(rows.First).ToBeVisibleAsync();
        await Expect(rows.First).ToContainTextAsync("2,000");
        await fixture.ScreenshotAsync(page, "datasets");

        await rows.First.GetByRole(AriaRole.Link, new() { Name = "taxi-sample" }).ClickAsync();
        await Expect(page.GetByTestId("dataset-name")).ToContainTextAsync("taxi-sample");
        var histogram = page.Locator("svg[data-testid='histogram-fare_amount']");
        await Expect(histogram).ToBeVisibleAsync();
        Assert.True(await histogram.Locator("rect").CountAsync() > 1, "the fare histogram has no bars");
        var top = page.GetByTestId("topvalues-payment_type");
        await Expect(top).ToBeVisibleAsync();
        await Expect(top).ToContainTextAsync("CRD");
        await fixture.ScreenshotAsync(page, "dataset-version");
        await page.Context.CloseAsync();
    }

    private static async Task ExpectRowOrderAsync(IPage page, string[] expected)
    {
        // Rows are re-rendered after the sort's fetch: wait until the order is the expected one.
        await page.WaitForFunctionAsync(
            """
            (expected) => JSON.stringify([...document.querySelectorAll('[data-testid="experiments-table"] tbody tr')]
              .map((r) => r.dataset.testid)) === JSON.stringify(expected)
            """,
            expected, new PageWaitForFunctionOptions { Timeout = 10_000 });
    }

    private sealed record TrackingRun(string Id, double Metric, Dictionary<string, string> Params);

    /// <summary>The experiment the tiny_retrain trainings logged to, and its runs with their metric and params.</summary>
    private static async Task<(string Id, List<TrackingRun> Runs)> RetrainExperimentAsync(IPage page)
    {
        var list = await page.APIRequest.GetAsync("/api/v1/experiments?limit=500");
        Assert.True(list.Ok, $"GET /api/v1/experiments: {list.Status}");
        using var experiments = JsonDocument.Parse(await list.TextAsync());
        foreach (var experiment in experiments.RootElement.GetProperty("items").EnumerateArray())
        {
            var id = experiment.GetProperty("experimentId").ToString();
            var response = await page.APIRequest.GetAsync($"/api/v1/experiments/{Uri.EscapeDataString(id)}/runs?limit=100");
            using var runs = JsonDocument.Parse(await response.TextAsync());
            var found = runs.RootElement.GetProperty("items").EnumerateArray()
                .Where(r => r.TryGetProperty("dagId", out var dag) && dag.GetString() == TestDags.Retrain)
                .Select(r => new TrackingRun(
                    r.GetProperty("trackingRunId").ToString(),
                    r.GetProperty("metrics").GetProperty(Metric).GetDouble(),
                    r.GetProperty("params").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString())))
                .ToList();
            if (found.Count > 0)
            {
                return (id, found);
            }
        }

        throw new InvalidOperationException($"no experiment holds runs of {TestDags.Retrain}: {experiments.RootElement}");
    }
}
