using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orchestrator.Web.Security;

/// <summary>Says at startup how people will get in: auto sign-in on loopback, or sign-in required — and, when no
/// user exists yet, how to create the first admin (otherwise nobody could sign in).</summary>
internal sealed partial class SecurityStartupCheck(UserAccounts accounts, IOptions<SecurityOptions> options, ILogger<SecurityStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AutoSignIn)
        {
            LogAutoSignIn(logger, options.Value.AutoSignInUserName);
            return;
        }

        if (!await accounts.Store.AnyAsync(cancellationToken))
        {
            LogNoUsers(logger);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Auto sign-in is on (the server listens on loopback only): local requests act as '{UserName}' (admin) without a password")]
    private static partial void LogAutoSignIn(ILogger logger, string userName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in is required but no user exists: create the first admin with `orchestrator users create NAME --role admin` (add --password-stdin to give the password on stdin)")]
    private static partial void LogNoUsers(ILogger logger);
}
