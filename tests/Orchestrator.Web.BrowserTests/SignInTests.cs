using Microsoft.Playwright;
using Orchestrator.Web.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Web.BrowserTests;

[Collection(DashboardGroup.Name)]
public sealed class SignInTests(DashboardFixture fixture)
{
    [Fact(Timeout = 90_000)]
    public async Task A_wrong_password_is_refused_and_the_right_one_lands_on_the_DAGs_page_with_the_user_badge()
    {
        var page = await fixture.NewPageAsync();

        // --require-login: the dashboard sends an anonymous browser to the form.
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));

        await DashboardFixture.SignInAsync(page, DashboardFixture.AdminName, "not the password");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong user name or password.");
        await Expect(page.Locator("#password")).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "login-refused");

        await DashboardFixture.SignInAsync(page, DashboardFixture.AdminName, DashboardFixture.Password);
        await Expect(page.GetByTestId("dags-table")).ToBeVisibleAsync();
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync(DashboardFixture.AdminName);
        await Expect(page.GetByTestId("user-role")).ToHaveTextAsync("admin");
        await Expect(page.GetByTestId("logout")).ToBeVisibleAsync();
        await Expect(page.GetByTestId($"dag-row-{TestDags.FanOut}")).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "dags");
        await page.Context.CloseAsync();
    }
}
