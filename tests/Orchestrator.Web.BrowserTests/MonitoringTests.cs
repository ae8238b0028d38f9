using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

/// <summary>Monitoring in the dashboard, on the fixture's drift_watch run (queued before the server started): its loud
/// drift check emits a drift event on the model, which triggers a run of retrain_on_drift.</summary>
[Collection(DashboardGroup.Name)]
public sealed class MonitoringTests(DashboardFixture fixture)
{
    // The drift run does real ML work next to the other tests' runs: give it time to finish and its event to land.
    private static readonly LocatorAssertionsToBeVisibleOptions Eventually = new() { Timeout = 60_000 };

    [Fact(Timeout = 120_000)]
    public async Task The_monitoring_page_lists_the_drift_event_with_its_run_and_the_dag_page_names_the_event()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName);
        await page.GotoAsync("/monitoring");
        var row = page.GetByTestId("events-table").Locator("tr[data-kind='drift']")
            .Filter(new() { Has = page.GetByTestId("event-subject").GetByText(TestDags.Model, new() { Exact = true }) });
        var triggered = row.Locator($"a.triggered-run[href^='/dags/{TestDags.OnDrift}?run=']");
        await Expect(triggered.First).ToBeVisibleAsync(Eventually);
        await Expect(row).ToHaveCountAsync(1); // only the loud check drifted
        await Expect(row.GetByTestId("event-source")).ToContainTextAsync(TestDags.DriftWatch);
        await Expect(row.GetByTestId("event-source")).ToHaveAttributeAsync("href", new Regex($"run={Regex.Escape(Uri.EscapeDataString(fixture.DriftWatchRunId))}&task=loud$"));
        var eventId = (await row.GetAttributeAsync("data-testid"))!["event-row-".Length..];
        var runId = (await triggered.First.GetAttributeAsync("data-testid"))!["triggered-run-".Length..];

        // The triggered run's notify task recorded an alert: listed with its kind, severity, state and run.
        var alert = page.GetByTestId("alerts-table").Locator("tr[data-kind='notify']").Filter(new() { HasText = TestDags.OnDriftMessage });
        await Expect(alert).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(alert.Locator("[data-severity]")).ToHaveAttributeAsync("data-severity", "warning");
        await Expect(alert.Locator("[data-state]")).ToHaveAttributeAsync("data-state", "recorded");
        await Expect(alert).ToContainTextAsync("recorded only"); // no webhook target
        await Expect(alert.GetByTestId("alert-run")).ToHaveAttributeAsync("href", $"/dags/{TestDags.OnDrift}?run={Uri.EscapeDataString(runId)}&task=tell");
        await fixture.ScreenshotAsync(page, "monitoring");

        // The triggered run's link opens that run on its DAG page, which says which event created it.
        await triggered.First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/dags/{TestDags.OnDrift}\\?run={Regex.Escape(Uri.EscapeDataString(runId))}$"));
        var info = page.GetByTestId("run-info");
        await Expect(info).ToContainTextAsync(runId);
        await Expect(info.GetByTestId("run-event")).ToContainTextAsync($"triggered by event #{eventId}: drift on {TestDags.Model}");
        await Expect(info.GetByTestId("run-event-source")).ToContainTextAsync(TestDags.DriftWatch);
        await fixture.ScreenshotAsync(page, "dag-event-run");

        // …and the event's link opens it on the monitoring page, payload and all.
        await info.GetByTestId("run-event-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/monitoring\\?event={eventId}$"));
        var detail = page.GetByTestId("event-detail");
        await Expect(detail).ToContainTextAsync($"Event #{eventId}: drift on {TestDags.Model}");
        await Expect(detail.GetByTestId("event-payload")).ToContainTextAsync("\"checkId\"");
        await Expect(detail.GetByTestId($"triggered-run-{runId}")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task The_model_page_charts_its_drift_checks_and_a_check_opens_its_feature_report()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName);
        await page.GotoAsync($"/models/{TestDags.Model}");
        var chart = page.Locator("svg[data-testid='drift-chart']");
        await Expect(chart).ToBeVisibleAsync(Eventually);
        var points = chart.Locator(".drift-point");
        await Expect(points).ToHaveCountAsync(2, new() { Timeout = 60_000 }); // quiet and loud
        await Expect(chart.Locator("path.threshold")).ToHaveCountAsync(1);
        var drifted = chart.Locator(".drift-point.drifted");
        await Expect(drifted).ToHaveCountAsync(1);
        await Expect(chart.Locator(".drift-point.quiet")).ToHaveCountAsync(1);

        await drifted.ClickAsync();
        var report = page.GetByTestId("drift-report");
        await Expect(report).ToBeVisibleAsync();
        await Expect(report).ToHaveAttributeAsync("data-check", (await drifted.GetAttributeAsync("data-check"))!);
        var features = report.GetByTestId("drift-features").Locator("tbody tr");
        await Expect(features).ToHaveCountAsync(6); // the model's inputs
        foreach (var name in new[] { "trip_time_in_secs", "trip_distance", "payment_type" })
        {
            await Expect(report.GetByTestId($"drift-feature-{name}")).ToHaveAttributeAsync("data-drifted", "true");
        }

        await Expect(report.GetByTestId("drift-feature-vendor_id")).ToHaveAttributeAsync("data-drifted", "false");
        await Expect(report.GetByTestId("drift-feature-trip_distance")).ToContainTextAsync("ks");
        var histogram = report.Locator("svg[data-testid='drift-hist-trip_distance']");
        await Expect(histogram.Locator("rect.ref").First).ToBeVisibleAsync();
        await Expect(histogram.Locator("rect.cur").First).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("[?&]check=\\d+"));

        // The model's drift events list the run each triggered.
        await Expect(page.GetByTestId("model-events").Locator($"a.triggered-run[href^='/dags/{TestDags.OnDrift}?run=']")).ToHaveCountAsync(1);
        await fixture.ScreenshotAsync(page, "model-drift");
        await page.Context.CloseAsync();
    }
}
