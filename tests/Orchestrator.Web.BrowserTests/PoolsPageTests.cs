using System.Text.Json;
using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

/// <summary>The Pools page: an admin adds a pool (a bad name is refused at the field before any request) and sees its
/// bar, a refused edit shows at the field, an accepted one (slots and description) redraws the row and reaches the API,
/// and a delete removes it; a viewer sees the bars without controls.</summary>
[Collection(DashboardGroup.Name)]
public sealed class PoolsPageTests(DashboardFixture fixture)
{
    private const string Pool = "browser-pool";

    [Fact(Timeout = 90_000)]
    public async Task An_admin_adds_a_pool_sees_its_bar_edits_its_slots_and_deletes_it_while_a_viewer_only_reads()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.AdminName);
        await page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Pools" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/pools$"));

        var form = page.GetByTestId("pool-add");
        var expected = $"name must be {Orchestrator.Core.Pools.PoolNames.Expected}"; // the server's words for its rule
        // Empty: said at the name field (no request: PUT /pools/ has no pool to reach).
        await form.GetByTestId("pool-add-submit").ClickAsync();
        await Expect(form.GetByTestId("pool-add-error-name")).ToHaveTextAsync(expected);
        await Expect(form.GetByTestId("pool-add-name")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("invalid"));
        foreach (var bad in new[] { "two words", "..", new string('p', 65) })
        {
            await form.GetByTestId("pool-add-name").FillAsync(bad);
            await form.GetByTestId("pool-add-submit").ClickAsync();
            await Expect(form.GetByTestId("pool-add-error-name")).ToHaveTextAsync($"{expected}, not '{bad}'");
        }

        await Expect(form.GetByTestId("pool-add-problem")).ToHaveCountAsync(0);
        await form.GetByTestId("pool-add-name").FillAsync(Pool);
        await form.GetByTestId("pool-add-slots").FillAsync("3");
        await form.GetByTestId("pool-add-description").FillAsync("made by the browser test");
        await form.GetByTestId("pool-add-submit").ClickAsync();
        await Expect(form.GetByTestId("pool-add-error-name")).ToBeHiddenAsync();

        var row = page.GetByTestId($"pool-{Pool}");
        await Expect(row.GetByTestId("pool-bar")).ToBeVisibleAsync();
        await Expect(row.GetByTestId("pool-open")).ToHaveAttributeAsync("data-slots", "3");
        await Expect(row.GetByTestId("pool-running")).ToHaveAttributeAsync("data-slots", "0");
        await Expect(row.GetByTestId("pool-legend")).ToContainTextAsync("of 3 slots");
        await Expect(row.GetByTestId("pool-waiting-count")).ToHaveTextAsync("0");
        await Expect(row).ToContainTextAsync("made by the browser test");

        // Out of range: the server refuses, and says so at the slots field; nothing changes.
        await row.GetByTestId("pool-slots-input").FillAsync("100001");
        await row.GetByTestId("pool-save").ClickAsync();
        await Expect(row.GetByTestId("pool-slots-error")).ToContainTextAsync("slots must be a whole number from 0 to 100,000");
        await Expect(row.GetByTestId("pool-open")).ToHaveAttributeAsync("data-slots", "3");

        await row.GetByTestId("pool-slots-input").FillAsync("5");
        await row.GetByTestId("pool-save").ClickAsync();
        await Expect(page.GetByTestId("toast-ok").Filter(new() { HasText = "now has 5 slots" })).ToBeVisibleAsync();
        await Expect(row.GetByTestId("pool-slots-error")).ToBeHiddenAsync();
        await Expect(row.GetByTestId("pool-open")).ToHaveAttributeAsync("data-slots", "5");
        await Expect(row.GetByTestId("pool-legend")).ToContainTextAsync("of 5 slots");
        await fixture.ScreenshotAsync(page, "pools-edited");

        var response = await page.APIRequest.GetAsync($"/api/v1/pools/{Pool}");
        Assert.True(response.Ok, $"GET /api/v1/pools/{Pool}: {response.Status}");
        using (var pool = JsonDocument.Parse(await response.TextAsync()))
        {
            Assert.Equal((5, "made by the browser test"), (pool.RootElement.GetProperty("slots").GetInt32(), pool.RootElement.GetProperty("description").GetString()));
        }

        // The description: too long is refused at its field; a new one is shown and stored.
        var description = row.GetByTestId("pool-description-input");
        await Expect(description).ToHaveValueAsync("made by the browser test");
        await description.FillAsync(new string('d', 501));
        await row.GetByTestId("pool-save").ClickAsync();
        await Expect(row.GetByTestId("pool-description-error")).ToContainTextAsync("description must be at most 500 characters, not 501");
        await Expect(row).ToContainTextAsync("made by the browser test");
        await description.FillAsync("edited by the browser test");
        await description.PressAsync("Enter");
        await Expect(row.GetByTestId("pool-description-error")).ToBeHiddenAsync();
        await Expect(row).ToContainTextAsync("edited by the browser test");
        using (var pool = JsonDocument.Parse(await (await page.APIRequest.GetAsync($"/api/v1/pools/{Pool}")).TextAsync()))
        {
            Assert.Equal((5, "edited by the browser test"), (pool.RootElement.GetProperty("slots").GetInt32(), pool.RootElement.GetProperty("description").GetString()));
        }

        var viewer = await fixture.SignedInPageAsync(DashboardFixture.ViewerName);
        await viewer.GotoAsync("/pools");
        var viewerRow = viewer.GetByTestId($"pool-{Pool}");
        await Expect(viewerRow.GetByTestId("pool-open")).ToHaveAttributeAsync("data-slots", "5");
        await Expect(viewerRow.GetByTestId("pool-slots-input")).ToHaveCountAsync(0);
        await Expect(viewer.GetByTestId("pool-add")).ToHaveCountAsync(0);
        await viewer.Context.CloseAsync();

        await row.GetByTestId("pool-delete").ClickAsync();
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        Assert.Equal(404, (await page.APIRequest.GetAsync($"/api/v1/pools/{Pool}")).Status);
        await page.Context.CloseAsync();
    }
}
