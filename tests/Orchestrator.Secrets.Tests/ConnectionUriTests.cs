using Orchestrator.Secrets.Connections;

namespace Orchestrator.Secrets.Tests;

public sealed class ConnectionUriTests
{
    [Fact]
    public void AFullUri_GivesEveryField_PercentDecoded()
    {
        var connection = ConnectionUri.Parse("postgres://user%40corp:p%40ss%3Aw%2Frd@db.example.com:5432/analytics?sslmode=require&application_name=orch%20v1");

        Assert.Equal(("postgres", "db.example.com", 5432, "user@corp", "p@ss:w/rd", "analytics"),
            (connection.Type, connection.Host, connection.Port, connection.Login, connection.Password, connection.Schema));
        Assert.Equal(new Dictionary<string, string> { ["sslmode"] = "require", ["application_name"] = "orch v1" }, connection.Extra);
    }

    [Theory]
    [InlineData("http://example.com", "http", "example.com", null, null, null)]
    [InlineData("google-cloud-platform://", "google_cloud_platform", null, null, null, null)]
    [InlineData("redis://:onlypass@cache:6379", "redis", "cache", 6379, null, "onlypass")]
    [InlineData("ftp://bob@files", "ftp", "files", null, "bob", null)]
    public void PartsMayBeLeftOut(string uri, string type, string? host, int? port, string? login, string? password)
    {
        var connection = ConnectionUri.Parse(uri);

        Assert.Equal((type, host, port, login, password, (string?)null, (IReadOnlyDictionary<string, string>?)null),
            (connection.Type, connection.Host, connection.Port, connection.Login, connection.Password, connection.Schema, connection.Extra));
    }

    [Theory]
    [InlineData("no-scheme", "uri has no scheme")]
    [InlineData("pg://host:port", "uri port 'port' is not a number")]
    [InlineData("pg://host?=x", "uri query part '=x' has no key")]
    public void BadUris_SayWhichPart(string uri, string message) =>
        Assert.StartsWith(message, Assert.Throws<FormatException>(() => ConnectionUri.Parse(uri)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("""{"sslmode": "require", "timeout": 30, "verify": false}""", null)]
    [InlineData("[1]", "extra is a JSON array: expected an object of strings")]
    [InlineData("""{"nested": {"a": 1}}""", "extra key 'nested' is a JSON object: its value must be a string")]
    [InlineData("{bad", "extra is not valid JSON (line 1")]
    public void Extra_IsAnObjectOfStrings(string json, string? message)
    {
        if (message is null)
        {
            Assert.Equal(new Dictionary<string, string> { ["sslmode"] = "require", ["timeout"] = "30", ["verify"] = "false" }, ConnectionRules.ParseExtra(json));
            return;
        }

        Assert.StartsWith(message, Assert.Throws<FormatException>(() => ConnectionRules.ParseExtra(json)).Message, StringComparison.Ordinal);
    }
}
