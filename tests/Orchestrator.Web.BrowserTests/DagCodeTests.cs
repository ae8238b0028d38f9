using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

/// <summary>The Code tab shows the source of any version a run used, not only the file as it is now.</summary>
[Collection(DashboardGroup.Name)]
public sealed partial class DagCodeTests(DashboardFixture fixture)
{
    [Fact(Timeout = 90_000)]
    public async Task The_version_picker_lists_both_versions_and_the_older_one_shows_the_older_source()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName);
        var older = await DagVersionOfAsync(page, fixture.VersionedRunIds[0]);
        var newer = await DagVersionOfAsync(page, fixture.VersionedRunIds[1]);
        Assert.NotEqual(older, newer);

        await page.GotoAsync($"/dags/{TestDags.Versioned}");
        await page.GetByTestId("tab-code").ClickAsync();
        var source = page.GetByTestId("dag-source");
        await Expect(source).ToContainTextAsync("this is version 2");

        var picker = page.GetByTestId("code-version");
        var options = picker.Locator("option");
        await Expect(options).ToHaveCountAsync(2);
        // Shown by the first 12 characters of each digest; the latest (the newer file) first.
        await Expect(options.Nth(0)).ToHaveAttributeAsync("value", newer);
        await Expect(options.Nth(1)).ToHaveAttributeAsync("value", older);
        await Expect(options.Nth(0)).ToHaveTextAsync(new Regex($"^{Regex.Escape(newer[..12])} \\(latest"));
        await Expect(options.Nth(1)).ToHaveTextAsync(new Regex($"^{Regex.Escape(older[..12])} \\(run {Regex.Escape(fixture.VersionedRunIds[0])}"));
        await fixture.ScreenshotAsync(page, "dag-code-latest");

        await picker.SelectOptionAsync(older);
        await Expect(source).ToContainTextAsync("this is version 1");
        await Expect(source).Not.ToContainTextAsync("this is version 2");
        await fixture.ScreenshotAsync(page, "dag-code-older-version");

        await picker.SelectOptionAsync(newer);
        await Expect(source).ToContainTextAsync("this is version 2");
        await page.Context.CloseAsync();
    }

    private static async Task<string> DagVersionOfAsync(Microsoft.Playwright.IPage page, string runId)
    {
        var response = await page.APIRequest.GetAsync($"/api/v1/runs/{runId}");
        Assert.True(response.Ok, $"GET /api/v1/runs/{runId}: {response.Status}");
        using var run = JsonDocument.Parse(await response.TextAsync());
        return run.RootElement.GetProperty("dagVersion").GetString()!;
    }
}
