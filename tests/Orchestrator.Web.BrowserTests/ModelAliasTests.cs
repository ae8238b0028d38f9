using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

/// <summary>Moving a model alias is an admin's action, and every move is kept with who made it.</summary>
[Collection(DashboardGroup.Name)]
public sealed class ModelAliasTests(DashboardFixture fixture)
{
    [Fact(Timeout = 90_000)]
    public async Task An_admin_moves_an_alias_and_its_history_names_the_admin_while_an_operator_gets_no_form()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.AdminName);
        await page.GotoAsync($"/models/{TestDags.Model}");
        var form = page.GetByTestId("alias-form");
        await Expect(form).ToBeVisibleAsync();
        var history = page.GetByTestId("alias-history").Locator("tbody tr");
        // The fixture's monitored alias has a move already: wait for the history to load before counting it.
        await Expect(page.GetByTestId("alias-history")).ToContainTextAsync(TestDags.MonitoredAlias);
        var before = await history.CountAsync();

        await form.GetByTestId("alias-name").FillAsync("browser-test");
        await form.GetByTestId("alias-version").SelectOptionAsync("1");
        await form.GetByTestId("alias-reason").FillAsync("pinned by the browser test");
        await form.GetByTestId("alias-submit").ClickAsync();
        await Expect(page.GetByTestId("toast-ok")).ToContainTextAsync("browser-test → v1");

        await Expect(history).ToHaveCountAsync(before + 1);
        var entry = history.Filter(new() { HasText = "browser-test" });
        await Expect(entry).ToHaveCountAsync(1);
        await Expect(entry).ToContainTextAsync(DashboardFixture.AdminName);
        await Expect(entry).ToContainTextAsync("v1");
        await Expect(entry).ToContainTextAsync("pinned by the browser test");
        await Expect(page.GetByTestId("model-version-1")).ToContainTextAsync("browser-test");
        await fixture.ScreenshotAsync(page, "model-alias-moved");

        // Moved again: the history keeps both moves, the newest first, from → to.
        await form.GetByTestId("alias-version").SelectOptionAsync("2");
        await form.GetByTestId("alias-reason").FillAsync("second move");
        await form.GetByTestId("alias-submit").ClickAsync();
        await Expect(history).ToHaveCountAsync(before + 2);
        await Expect(history.First).ToContainTextAsync("v1 → v2");
        await Expect(history.First).ToContainTextAsync(DashboardFixture.AdminName);
        await page.Context.CloseAsync();

        var operatorPage = await fixture.SignedInPageAsync(DashboardFixture.OperatorName);
        await operatorPage.GotoAsync($"/models/{TestDags.Model}");
        await Expect(operatorPage.GetByTestId("model-versions")).ToBeVisibleAsync();
        await Expect(operatorPage.GetByTestId("alias-history")).ToContainTextAsync("browser-test");
        await Expect(operatorPage.GetByTestId("alias-form")).ToHaveCountAsync(0);
        await fixture.ScreenshotAsync(operatorPage, "model-alias-operator");
        await operatorPage.Context.CloseAsync();
    }
}
