using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Web.Security;

/// <summary>API tokens: 32 random bytes, base64url, behind a recognisable prefix (so leaked tokens are easy to grep
/// for). The store keeps only the SHA-256 of the whole token: a fast hash is enough for 256 random bits.</summary>
public static class ApiTokens
{
    public const string Prefix = "orch_";

    private static readonly System.Buffers.SearchValues<char> Base64UrlChars = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>A short public id (what <c>users token revoke</c> takes), not secret.</summary>
    public static string NewId() => "tok_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>Lower-case hex SHA-256 of the token's UTF-8 bytes.</summary>
    public static string Hash(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    /// <summary>Whether <paramref name="value"/> looks like a token (prefix and 43 base64url characters), checked
    /// before the store is asked.</summary>
    public static bool LooksLikeToken(string value) =>
        value.Length == Prefix.Length + 43 && value.StartsWith(Prefix, StringComparison.Ordinal)
        && value.AsSpan(Prefix.Length).IndexOfAnyExcept(Base64UrlChars) < 0;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
