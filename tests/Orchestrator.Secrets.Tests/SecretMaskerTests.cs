using System.Text.Json;
using Orchestrator.Secrets.Masking;

namespace Orchestrator.Secrets.Tests;

public sealed class SecretMaskerTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static SecretMasker With(params string[] secrets)
    {
        var masker = new SecretMasker();
        masker.AddRange(secrets);
        return masker;
    }

    [Theory]
    [InlineData("connecting with hunter22 now", "connecting with *** now")]
    [InlineData("hunter22", "***")]
    [InlineData("hunter22hunter22", "***")] // adjacent occurrences merge
    [InlineData("a hunter22 b hunter22 c", "a *** b *** c")]
    [InlineData("nothing here", "nothing here")]
    [InlineData("", "")]
    [InlineData("Hunter22", "Hunter22")] // ordinal: a different text is not the secret
    public void KnownSecrets_AreReplacedByStars(string text, string expected) =>
        Assert.Equal(expected, With("hunter22").Mask(text));

    [Fact]
    public void ShortValues_AreIgnored()
    {
        var masker = With("a", "abc", "", "abcd");

        Assert.Equal("a abc ***", masker.Mask("a abc abcd"));
        var anyLength = new SecretMasker(minimumLength: 1);
        anyLength.Add("a");
        Assert.Equal("*** b ***", anyLength.Mask("a b a"));
    }

    [Fact]
    public void OverlappingSecrets_AreMaskedAsTheirUnion()
    {
        var masker = With("abcdef", "defghi", "cd12");

        Assert.Equal("x***y", masker.Mask("xabcdefghiy"));
        Assert.Equal("xab***y", masker.Mask("xabcd12y")); // "abcdef" is not there: only "cd12" is
        Assert.Equal("*** ***", masker.Mask("abcdef defghi"));
    }

    [Fact]
    public void TheLongestSecretAtAPosition_Wins()
    {
        var masker = With("pass", "password123");

        Assert.Equal("[***]", masker.Mask("[password123]"));
        Assert.Equal("[***word]", masker.Mask("[password]"));
    }

    [Theory]
    [InlineData("pa\"ss\\word")]
    [InlineData("<tag>&'quote'")]
    [InlineData("naïve ✓ value")]
    [InlineData("line1\tline2")]
    public void JsonEscapedForms_AreMasked(string secret)
    {
        var masker = With(secret);

        Assert.Equal("{\"v\":\"***\"}", masker.Mask(JsonSerializer.Serialize(new { v = secret })));
        Assert.Equal("{\"v\":\"***\"}", masker.Mask(JsonSerializer.Serialize(new { v = secret }, Relaxed)));
    }

    [Fact]
    public void UrlEncodedAndShellQuotedForms_AreMasked()
    {
        var masker = With("p@ss w/rd", "it's-secret");

        Assert.Equal("postgres://u:***@h", masker.Mask("postgres://u:" + Uri.EscapeDataString("p@ss w/rd") + "@h"));
        Assert.Equal("echo '***'", masker.Mask("echo 'it'\\''s-secret'"));
        Assert.Equal("echo '***'", masker.Mask("echo 'it'\"'\"'s-secret'"));
    }

    [Fact]
    public void EachLineOfAMultiLineSecret_IsMasked()
    {
        var masker = With("-----BEGIN KEY-----\r\nMIIEvQIBADANBg\r\n-----END KEY-----");

        Assert.Equal("***", masker.Mask("MIIEvQIBADANBg"));
        Assert.Equal("*** follows", masker.Mask("-----BEGIN KEY----- follows"));
    }

    [Fact]
    public void WithNoSecrets_TheTextIsReturnedAsIs()
    {
        var text = "unchanged";

        Assert.Same(text, new SecretMasker().Mask(text));
        Assert.Same(text, With("zzzz").Mask(text));
    }

    [Fact]
    public void SecretsAddedLater_AreMaskedFromThenOn_WhileOthersMask()
    {
        var masker = new SecretMasker();
        var secrets = Enumerable.Range(0, 200).Select(i => $"secret-{i:D4}").ToArray();

        Parallel.For(0, secrets.Length, i =>
        {
            masker.Add(secrets[i]);
            Assert.Equal("x *** y", masker.Mask($"x {secrets[i]} y"));
        });

        Assert.Equal(string.Join(' ', secrets.Select(_ => "***")), masker.Mask(string.Join(' ', secrets)));
    }

    [Fact]
    public void ManySecretsAndALongLine_AreAllMasked()
    {
        var masker = With([.. Enumerable.Range(0, 1000).Select(i => $"tok{i:D5}-{i * 7919 % 100000:D5}")]);
        var line = string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet tok00010-79190 ", 100_000)); // 4.2 MB, 100,000 secrets

        var masked = masker.Mask(line);

        Assert.Equal(string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet *** ", 100_000)), masked);
    }
}
