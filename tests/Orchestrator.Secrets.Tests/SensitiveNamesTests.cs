using Orchestrator.Secrets.Masking;

namespace Orchestrator.Secrets.Tests;

public sealed class SensitiveNamesTests
{
    [Theory]
    [InlineData("password")]
    [InlineData("db_password")]
    [InlineData("DB_PASSWORD")]
    [InlineData("passwd")]
    [InlineData("gpg_passphrase")]
    [InlineData("warehouse_dsn")]
    [InlineData("ConnectionString")]
    [InlineData("client_secret")]
    [InlineData("accessToken")]
    [InlineData("api_key")]
    [InlineData("apiKey")]
    [InlineData("X-Api-Key")]
    [InlineData("aws_access_key_id")]
    [InlineData("private_key")]
    [InlineData("privateKey")]
    [InlineData("credentials")]
    [InlineData("authorization")]
    [InlineData("oauth")]
    public void SensitiveLookingNames_AreSensitive(string name) => Assert.True(SensitiveNames.Default.IsSensitive(name));

    [Theory]
    [InlineData("name")]
    [InlineData("minRows")]
    [InlineData("host")]
    [InlineData("key")]
    [InlineData("user")]
    [InlineData("")]
    public void OtherNames_AreNot(string name) => Assert.False(SensitiveNames.Default.IsSensitive(name));

    [Fact]
    public void TheEnvironmentVariable_AddsWords_ToTheDefaults()
    {
        var names = SensitiveNames.FromEnvironment(name => name == SensitiveNames.EnvironmentVariable ? " pin , Connection-String ,," : null);

        Assert.True(names.IsSensitive("card_pin"));
        Assert.True(names.IsSensitive("connectionString"));
        Assert.True(names.IsSensitive("password"));
        Assert.False(names.IsSensitive("name"));
        Assert.Same(SensitiveNames.Default, SensitiveNames.FromEnvironment(_ => null));
    }
}
