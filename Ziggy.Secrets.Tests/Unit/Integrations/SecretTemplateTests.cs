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
}
