using Ziggy.Secrets.Web.Imports;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Unit.Imports;

public sealed class ImportNamesTests
{
    [Theory]
    [InlineData("stripe-key", "STRIPE_KEY")]
    [InlineData("stripe_key", "STRIPE_KEY")]
    [InlineData("  STRIPE_KEY ", "STRIPE_KEY")]
    [InlineData("2fa.secret", "TWO_FA_SECRET")]
    [InlineData("12", "ONE_TWO")]
    [InlineData("apiKey", "API_KEY")]
    [InlineData("db.url--primary", "DB_URL_PRIMARY")]
    [InlineData("_PRIVATE_", "PRIVATE")]
    [InlineData("clé_privée", "CLE_PRIVEE")]
    [InlineData("\"QUOTED\"", "QUOTED")]
    [InlineData("app/v2:token", "APP_V2_TOKEN")]
    public void Suggest_NameBreakingTheRule_OffersAValidOne(string name, string suggestion)
    {
        Assert.NotNull(ImportNames.Problem(name));
        Assert.Equal(suggestion, ImportNames.Suggest(name));
        Assert.Empty(SecretRules.Check(suggestion, "", []));
    }

    [Theory]
    [InlineData("STRIPE_KEY")]
    [InlineData("A1")]
    public void Suggest_ValidName_NoProblemNoSuggestion(string name)
    {
        Assert.Null(ImportNames.Problem(name));
        Assert.Null(ImportNames.Suggest(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("---")]
    [InlineData("中文")]
    [InlineData("🔑")]
    public void Suggest_NothingUsableInTheName_None(string name)
    {
        Assert.NotNull(ImportNames.Problem(name));
        Assert.Null(ImportNames.Suggest(name));
    }

    [Fact]
    public void Suggest_FixWouldBeTooLong_None()
    {
        var name = new string('a', SecretRules.NameMaxLength + 1);

        Assert.Equal(SecretRules.Check(name, "", []).Single().Message, ImportNames.Problem(name));
        Assert.Null(ImportNames.Suggest(name));
    }

    [Fact]
    public void Problem_IsTheNamingRulesOwnMessage() =>
        Assert.Equal(SecretRules.Check("stripe-key", "", []).Single().Message, ImportNames.Problem("stripe-key"));
}
