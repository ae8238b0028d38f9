using System.Text;
using System.Text.Json;
using Orchestrator.Application.Runs;

namespace Orchestrator.Application.Tests;

/// <summary>The pure conf rules: kinds like the params' defaults, integers for integer defaults, and size limits.</summary>
public sealed class ConfValidationTests
{
    private static readonly IReadOnlyDictionary<string, JsonElement> Params =
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"minRows": 10, "ratio": 0.5, "big": 1e3, "label": "x", "any": null}""")!;

    [Theory]
    [InlineData("""{"minRows": 2}""")]
    [InlineData("""{"minRows": -2}""")]
    [InlineData("""{"minRows": 12345678901234567890}""")]
    [InlineData("""{"ratio": 2}""")]
    [InlineData("""{"ratio": 1.5}""")]
    [InlineData("""{"big": 2.5}""")]
    [InlineData("""{"any": 1.5, "undeclared": 1.5}""")]
    public void Accepted(string conf)
    {
        Assert.Equal(conf, ConfValidation.Normalize(conf, Params));
    }

    [Theory]
    [InlineData("""{"minRows": 1.5}""", "1.5")]
    [InlineData("""{"minRows": 2.0}""", "2.0")]
    [InlineData("""{"minRows": 2e0}""", "2e0")]
    [InlineData("""{"minRows": 2E+1}""", "2E+1")]
    public void AnIntegerParam_RefusesAFractionOrExponent(string conf, string shown)
    {
        var problem = Assert.Throws<ApplicationProblemException>(() => ConfValidation.Normalize(conf, Params));

        Assert.Equal((ProblemKind.Invalid, "conf.minRows"), (problem.Kind, problem.Field));
        Assert.Equal($"conf.minRows must be an integer (digits only, no fraction or exponent) like the param's default 10, not {shown}", problem.Message);
    }

    [Theory]
    [InlineData("""{"db_password": 5}""", "conf.db_password must be a string like the param's default \"***\", not a number")]
    [InlineData("""{"creds": 5}""", "conf.creds must be an object like the param's default {\"password\":\"***\"}, not a number")]
    public void ARefusal_NeverQuotesASecretDefault(string conf, string message)
    {
        var secrets = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"db_password": "hunter2", "creds": {"password": "innerpw"}}""")!;

        var problem = Assert.Throws<ApplicationProblemException>(() => ConfValidation.Normalize(conf, secrets));

        Assert.Equal(message, problem.Message);
    }

    [Theory]
    [InlineData("""{"creds": {"password": "***", "user": "x"}}""", """{"creds":{"password":"innerpw","user":"x"}}""")]
    [InlineData("""{"db_password": "***", "label": "***"}""", """{"db_password":"hunter2","label":"***"}""")]
    [InlineData("""{"creds": {"password": "new"}}""", """{"creds": {"password": "new"}}""")]
    public void TheMaskSentBackAtASecretKey_KeepsTheRealDefault(string conf, string stored)
    {
        // Answers show secret defaults as ***; a client editing a param object sends them back unchanged.
        var secrets = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"db_password": "hunter2", "creds": {"password": "innerpw"}, "label": "x"}""")!;

        Assert.Equal(stored, ConfValidation.Normalize(conf, secrets));
    }

    [Fact]
    public void MoreThan64KiB_IsRefused_AndExactly64KiBIsNot()
    {
        string Conf(int bytes) => "{\"label\": \"" + new string('a', bytes - "{\"label\": \"\"}".Length) + "\"}";
        Assert.Equal(ConfValidation.MaxBytes, Encoding.UTF8.GetByteCount(Conf(ConfValidation.MaxBytes)));

        ConfValidation.Normalize(Conf(ConfValidation.MaxBytes), Params);
        var problem = Assert.Throws<ApplicationProblemException>(() => ConfValidation.Normalize(Conf(ConfValidation.MaxBytes + 1), Params));

        Assert.Equal((ProblemKind.Invalid, "conf"), (problem.Kind, problem.Field));
        Assert.Equal("conf is 65,537 bytes of JSON; at most 65,536 bytes (64 KiB) are allowed", problem.Message);
    }

    [Fact]
    public void BytesAreCounted_NotCharacters()
    {
        var conf = "{\"label\": \"" + new string('é', 33_000) + "\"}"; // 2 bytes each in UTF-8

        var problem = Assert.Throws<ApplicationProblemException>(() => ConfValidation.Normalize(conf, Params));

        Assert.Equal("conf", problem.Field);
    }

    [Fact]
    public void MoreThan1000Keys_IsRefused_And1000IsNot()
    {
        string Conf(int keys) => "{" + string.Join(",", Enumerable.Range(0, keys).Select(i => $"\"k{i}\":1")) + "}";

        ConfValidation.Normalize(Conf(ConfValidation.MaxKeys), Params);
        var problem = Assert.Throws<ApplicationProblemException>(() => ConfValidation.Normalize(Conf(ConfValidation.MaxKeys + 1), Params));

        Assert.Equal((ProblemKind.Invalid, "conf"), (problem.Kind, problem.Field));
        Assert.Equal("conf has 1,001 keys; at most 1,000 are allowed", problem.Message);
    }
}
