using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Unit.Secrets;

public sealed class SecretRulesTests
{
    private static List<Web.Common.FieldError> Check(string name, string description = "", params (SecretEnvironment, string)[] values) =>
        SecretRules.Check(name, description, values);

    [Theory]
    [InlineData("STRIPE_API_KEY")]
    [InlineData("A")]
    [InlineData("X1_2_3")]
    public void Check_ValidNames_NoErrors(string name) => Assert.Empty(Check(name));

    [Theory]
    [InlineData("", "Enter a name, for example STRIPE_API_KEY.")]
    [InlineData("1ABC", "Use capital letters, digits and underscores only, starting with a letter (for example STRIPE_API_KEY).")]
    [InlineData("_ABC", "Use capital letters, digits and underscores only, starting with a letter (for example STRIPE_API_KEY).")]
    [InlineData("STRIPE-KEY", "Use capital letters, digits and underscores only, starting with a letter (for example STRIPE_API_KEY).")]
    [InlineData("stripe", "Use capital letters, digits and underscores only, starting with a letter (for example STRIPE_API_KEY).")]
    [InlineData("ÄPFEL", "Use capital letters, digits and underscores only, starting with a letter (for example STRIPE_API_KEY).")]
    public void Check_BadNames_SayWhy(string name, string message) =>
        Assert.Equal(message, Assert.Single(Check(name)).Message);

    [Fact]
    public void Check_NameLength_128AllowedAnd129Refused()
    {
        Assert.Empty(Check("A" + new string('B', 127)));
        Assert.Equal("The name can be at most 128 characters (it has 129).", Assert.Single(Check("A" + new string('B', 128))).Message);
    }

    [Fact]
    public void Check_DescriptionLength_1000AllowedAnd1001Refused()
    {
        Assert.Empty(Check("A", new string('d', 1000)));
        var error = Assert.Single(Check("A", new string('d', 1001)));
        Assert.Equal(("Description", "The description can be at most 1,000 characters (it has 1,001)."), (error.Field, error.Message));
    }

    [Fact]
    public void Check_ValueSize_64KiBOfUtf8AllowedOneMoreByteRefused()
    {
        Assert.Empty(Check("A", "", (SecretEnvironment.Staging, new string('v', 65536))));
        var error = Assert.Single(Check("A", "", (SecretEnvironment.Staging, new string('v', 65537))));
        Assert.Equal(("Staging", "The Staging value can be at most 64 KiB (it is 65,537 bytes)."), (error.Field, error.Message));
        // Multi-byte text is measured in UTF-8 bytes: 32,769 two-byte letters are 65,538 bytes.
        Assert.Single(Check("A", "", (SecretEnvironment.Production, new string('ж', 32769))));
    }

    [Fact]
    public void Check_SeveralProblems_ReportsEach()
    {
        var errors = Check("bad name", new string('d', 1001), (SecretEnvironment.Development, new string('v', 70000)));
        Assert.Equal(["Name", "Description", "Development"], errors.Select(e => e.Field));
    }

    [Fact]
    public void NormalizeName_TrimsAndUpperCases() => Assert.Equal("STRIPE_KEY", SecretRules.NormalizeName("  stripe_key "));
}
