using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Web.Security;

/// <summary>The sign-in form: one small self-contained HTML page (no scripts, no external assets), every value
/// HTML-encoded.</summary>
internal static class LoginPage
{
    /// <summary>The page's only style, inline so the page needs nothing else; allowed by its hash in
    /// <see cref="ContentSecurityPolicy"/>, so no 'unsafe-inline' is needed.</summary>
    private const string Style = """
          :root { color-scheme: light dark; --accent: #2f6fde; }
          body { margin: 0; min-height: 100vh; display: grid; place-items: center; font: 15px/1.5 system-ui, sans-serif; background: Canvas; color: CanvasText; }
          main { width: min(22rem, 90vw); padding: 2rem; border: 1px solid color-mix(in srgb, CanvasText 15%, transparent); border-radius: 10px; box-shadow: 0 4px 24px rgb(0 0 0 / 8%); }
          h1 { margin: 0 0 1.25rem; font-size: 1.25rem; font-weight: 600; }
          label { display: block; margin: .75rem 0 .25rem; font-size: .9rem; }
          input[type=text], input[type=password] { box-sizing: border-box; width: 100%; padding: .5rem .6rem; font: inherit; border: 1px solid color-mix(in srgb, CanvasText 30%, transparent); border-radius: 6px; background: Field; color: FieldText; }
          input:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
          button { margin-top: 1.25rem; width: 100%; padding: .55rem; font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 6px; cursor: pointer; }
          .error { margin: 0 0 .5rem; padding: .5rem .6rem; border-radius: 6px; background: color-mix(in srgb, #d33 15%, transparent); }
        """;

    /// <summary>No script at all, only this page's own style, posts only to this site, never framed.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'self'; script-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static string Render(string antiforgeryField, string antiforgeryToken, string? returnUrl, string? userName, string? error) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Sign in · Orchestrator</title>
        <style>{{Style}}</style>
        </head>
        <body>
        <main>
        <h1>Sign in to Orchestrator</h1>
        {{(error is null ? "" : $"<p class=\"error\" role=\"alert\">{Encode(error)}</p>")}}
        <form method="post" action="/login">
        <input type="hidden" name="{{Encode(antiforgeryField)}}" value="{{Encode(antiforgeryToken)}}">
        <input type="hidden" name="returnUrl" value="{{Encode(returnUrl ?? "")}}">
        <label for="userName">User name</label>
        <input type="text" id="userName" name="userName" value="{{Encode(userName ?? "")}}" autocomplete="username" required autofocus>
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button>
        </form>
        </main>
        </body>
        </html>
        """;

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}

/// <summary>Where a sign-in may send the browser next: only a path on this site ("/…", not "//host" or "/\host",
/// which browsers treat as another site). Anything else goes to "/".</summary>
public static class LocalRedirects
{
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(c => char.IsControl(c));

    public static string OrRoot(string? url) => IsLocal(url) ? url! : "/";
}
