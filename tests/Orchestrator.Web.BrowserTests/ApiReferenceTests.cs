using Microsoft.Playwright;
using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

[Collection(DashboardGroup.Name)]
public sealed class ApiReferenceTests(DashboardFixture fixture)
{
    [Fact(Timeout = 90_000)]
    public async Task The_API_reference_renders_from_this_server_alone()
    {
        var page = await fixture.SignedInPageAsync(DashboardFixture.ViewerName);
        var blocked = new List<string>();
        await page.RouteAsync("**/*", async route =>
        {
            var host = new Uri(route.Request.Url).Host;
            if (host is "127.0.0.1" or "localhost")
            {
                await route.ContinueAsync();
            }
            else
            {
                lock (blocked)
                {
                    blocked.Add(route.Request.Url);
                }

                await route.AbortAsync();
            }
        });

        await page.GotoAsync("/api");
        await Expect(page.GetByText("Orchestrator API").First).ToBeVisibleAsync();
        await Expect(page.GetByText("/api/v1/dags/{dagId}/runs").First).ToBeAttachedAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await fixture.ScreenshotAsync(page, "api-reference");
        lock (blocked)
        {
            Assert.True(blocked.Count == 0, "the reference page asked other hosts for: " + string.Join(", ", blocked));
        }

        await page.Context.CloseAsync();
    }
}
