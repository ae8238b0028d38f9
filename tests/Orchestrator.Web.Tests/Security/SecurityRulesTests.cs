using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Security;

/// <summary>The pure rules: where a sign-in may redirect, when auto sign-in may be turned on, names, tokens.</summary>
public sealed class SecurityRulesTests
{
    [Theory]
    [InlineData("/", true)]
    [InlineData("/dags/etl?tab=grid#x", true)]
    [InlineData("//evil.example", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("evil.example", false)]
    [InlineData("/a\r\nLocation: x", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void OnlyPathsOnThisSite_AreLocal(string? url, bool local)
    {
        Assert.Equal(local, LocalRedirects.IsLocal(url));
        Assert.Equal(local ? url : "/", LocalRedirects.OrRoot(url));
    }

    [Theory]
    [InlineData(true, "http://127.0.0.1:8080")]
    [InlineData(true, "http://localhost:8080", "http://[::1]:8080")]
    [InlineData(true, "https://127.0.0.2:8443")]
    [InlineData(false, "http://0.0.0.0:8080")]
    [InlineData(false, "http://[::]:8080")]
    [InlineData(false, "http://*:8080")]
    [InlineData(false, "http://+:8080")]
    [InlineData(false, "http://127.0.0.1:8080", "http://192.168.1.5:8080")]
    [InlineData(false, "http://myhost:8080")]
    [InlineData(false)]
    public void AutoSignIn_IsForLoopbackOnlyListeners(bool expected, params string[] urls)
    {
        Assert.Equal(expected, SecurityOptions.ListensOnLoopbackOnly(urls));
    }

    [Theory]
    [InlineData("ada", null)]
    [InlineData("ada.lovelace@example-1_x", null)]
    [InlineData("", "name is required")]
    [InlineData("-ada", "name '-ada' must start with a letter or digit")]
    [InlineData("ada lovelace", "name 'ada lovelace' may hold only letters, digits, '_', '-', '.' and '@'")]
    [InlineData("a/b", "name 'a/b' may hold only letters, digits, '_', '-', '.' and '@'")]
    [InlineData("Local-Admin", "name 'Local-Admin' is reserved for the automatic sign-in on loopback")]
    public void UserNames_FollowTheIdentifierRules(string name, string? problem)
    {
        Assert.Equal(problem, UserAccounts.NameProblem(name));
        Assert.Equal("name must be at most 64 characters", UserAccounts.NameProblem(new string('a', 65)));
        Assert.Null(UserAccounts.NameProblem(new string('a', 64)));
    }

    [Fact]
    public void Tokens_AreRandom_Prefixed_AndHashedWithSha256()
    {
        var token = ApiTokens.Generate();

        Assert.True(ApiTokens.LooksLikeToken(token));
        Assert.NotEqual(token, ApiTokens.Generate());
        Assert.Equal(64, ApiTokens.Hash(token).Length);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiTokens.Hash("abc"));
        Assert.False(ApiTokens.LooksLikeToken(token[..^1]));
        Assert.False(ApiTokens.LooksLikeToken("orch_" + new string('+', 43)));
    }

    [Theory]
    [InlineData("/api/v1/dags", "text/html", true)]
    [InlineData("/api/v1/dags", "application/json", true)]
    [InlineData("/api", "text/html,application/xhtml+xml", false)] // the reference page: a browser is sent to sign in
    [InlineData("/dags/etl", "text/html", false)]
    [InlineData("/models/taxi/invocations", "*/*", true)]
    [InlineData("/metrics", "text/plain", true)]
    public void OnlyBrowsersOutsideTheApi_AreSentToTheSignInPage(string path, string accept, bool problemAnswer)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Path = path;
        context.Request.Headers.Accept = accept;

        Assert.Equal(problemAnswer, ProblemAnswers.IsApi(context.Request));
    }
}
