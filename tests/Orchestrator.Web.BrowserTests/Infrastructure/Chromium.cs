using Microsoft.Playwright;

namespace Orchestrator.Web.BrowserTests.Infrastructure;

/// <summary>Debian's Chromium, driven headless by Playwright. The machines have no internet: nothing is downloaded,
/// and every background fetch Chromium would try is switched off.</summary>
internal static class Chromium
{
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static BrowserTypeLaunchOptions LaunchOptions() => new()
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        Timeout = 60_000,
        Args =
        [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    };
}
