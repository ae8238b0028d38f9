using System.Text.Json;
using Orchestrator.Secrets.Masking;

namespace Orchestrator.Secrets.Tests;

public sealed class SensitiveConfTests
{
    private static Dictionary<string, JsonElement> Conf(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    [Fact]
    public void ValuesOfSensitiveKeys_AtAnyDepth_AreToldToTheMasker()
    {
        var masker = new SecretMasker();

        var count = SensitiveConf.Register(Conf("""
            {"db_password": "hunter22", "name": "public-name", "api": {"token": 123456, "url": "http://x"},
             "list": [{"secret": "in-a-list"}], "auth": {"user": "alice", "pass": "wonderland"}, "flag_token": true}
            """), masker, SensitiveNames.Default);

        var text = "hunter22 public-name 123456 http://x in-a-list alice wonderland {\"user\":\"alice\",\"pass\":\"wonderland\"}";
        Assert.Equal("*** public-name *** http://x *** *** *** ***", masker.Mask(text));
        Assert.Equal(6, count); // hunter22, 123456, in-a-list, the auth object, alice, wonderland (true is not a secret)
    }

    [Fact]
    public void MaskedJson_HidesSensitiveValues_AndKeepsTheRest()
    {
        var masked = SensitiveConf.MaskJson("""{"db_password": "hunter22", "n": 5, "nested": {"apiKey": {"a": 1}, "ok": [1, {"token": "t"}]}}""", SensitiveNames.Default);

        Assert.Equal("""{"db_password":"***","n":5,"nested":{"apiKey":"***","ok":[1,{"token":"***"}]}}""", masked);
    }

    [Theory]
    [InlineData("{}", "{}")]
    [InlineData("not json", "\"***\"")]
    [InlineData("[{\"password\": 1}]", "[{\"password\":\"***\"}]")]
    public void MaskedJson_OfOtherShapes(string json, string expected) => Assert.Equal(expected, SensitiveConf.MaskJson(json, SensitiveNames.Default));

    [Fact]
    public void MaskedCopy_OfADictionary_LeavesTheOriginalAlone()
    {
        var conf = Conf("""{"password": "p", "deep": {"secret_x": "s", "y": "why"}}""");

        var masked = SensitiveConf.Mask(conf, SensitiveNames.Default);

        Assert.Equal("***", masked["password"].GetString());
        Assert.Equal("""{"secret_x":"***","y":"why"}""", masked["deep"].GetRawText());
        Assert.Equal("p", conf["password"].GetString());
    }
}
