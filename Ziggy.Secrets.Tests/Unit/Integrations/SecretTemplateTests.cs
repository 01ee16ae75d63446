using Ziggy.Secrets.Web.Integrations;

namespace Ziggy.Secrets.Tests.Unit.Integrations;

public sealed class SecretTemplateTests
{
    [Fact]
    public void References_AcrossParts_EachNameOnceInOrder() =>
        Assert.Equal(["A_KEY", "B", "C_2"], SecretTemplate.References("x{{secrets.A_KEY}}{{ secrets.B }}", null, "{{secrets.A_KEY}} {{secrets.C_2}}"));

    [Fact]
    public void References_NotAPlaceholder_Ignored() =>
        Assert.Empty(SecretTemplate.References("{secrets.A} {{secret.B}} {{secrets.}} secrets.C"));

    [Fact]
    public void Substitute_ReplacesEveryOccurrence() =>
        Assert.Equal("Bearer v v", SecretTemplate.Substitute("Bearer {{secrets.T}} {{ secrets.T }}", new Dictionary<string, string> { ["T"] = "v" }));

    [Fact]
    public void SubstituteUrl_InQuery_PercentEncodesSoTheValueArrivesAsStored() =>
        Assert.Equal("https://x.test/a?k=a%2Bb%2Fc%3D%26d%20%C3%A9",
            SecretTemplate.SubstituteUrl("https://x.test/a?k={{secrets.K}}", new Dictionary<string, string> { ["K"] = "a+b/c=&d é" }));

    [Fact]
    public void SubstituteUrl_WholeUrlFromASecret_IsUsedAsItIs() =>
        Assert.Equal("https://hooks.example.test/T000/B000/XXX",
            SecretTemplate.SubstituteUrl(" {{secrets.WEBHOOK}} ", new Dictionary<string, string> { ["WEBHOOK"] = "https://hooks.example.test/T000/B000/XXX" }));

    [Theory]
    [InlineData("http://{{secrets.HOST}}:5399/export", "http://evil.test:5399/export")]
    [InlineData("https://api.test:{{secrets.PORT}}/v1?k={{secrets.HOST}}", "https://api.test:8443/v1?k=evil.test")]
    [InlineData("{{secrets.BASE}}/v1/charges?x={{secrets.PATHY}}", "https://api.test/root/v1/charges?x=a%2Fb")]
    [InlineData("https://hooks.test/services/{{secrets.PATHY}}", "https://hooks.test/services/a%2Fb")]
    public void SubstituteUrl_SchemeHostAndPortAsTheyAre_PathAndQueryPercentEncoded(string template, string expected) =>
        Assert.Equal(expected, SecretTemplate.SubstituteUrl(template, new Dictionary<string, string>
        {
            ["HOST"] = "evil.test", ["PORT"] = "8443", ["BASE"] = "https://api.test/root", ["PATHY"] = "a/b",
        }));

    [Theory]
    [InlineData("{{secrets.WEBHOOK}}")]
    [InlineData("{{secrets.BASE}}/v1")]
    [InlineData("http://{{secrets.HOST}}:5399/export")]
    [InlineData("https://{{secrets.HOST}}")]
    [InlineData("http://api.test:{{secrets.PORT}}/x")]
    [InlineData("http://{{secrets.HOST}}:{{secrets.PORT}}/x")]
    [InlineData("https://api.test/{{secrets.P}}?q={{secrets.Q}}")]
    public void CanBeHttpUrl_PlaceholdersAnywhere_Accepted(string template) => Assert.True(SecretTemplate.CanBeHttpUrl(template));

    [Theory]
    [InlineData("ftp://{{secrets.HOST}}/x")]
    [InlineData("file:///etc/passwd")]
    [InlineData("api.test/v1")]
    [InlineData("javascript:{{secrets.X}}")]
    public void CanBeHttpUrl_NotHttp_Refused(string template) => Assert.False(SecretTemplate.CanBeHttpUrl(template));
}
