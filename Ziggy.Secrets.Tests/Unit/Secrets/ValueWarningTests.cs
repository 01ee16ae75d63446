using Ziggy.Secrets.Web.Crypto;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Unit.Secrets;

public sealed class ValueWarningTests
{
    [Theory]
    [InlineData(" abc", "The Production value starts with a space.")]
    [InlineData("abc\t", "The Production value ends with a tab.")]
    [InlineData("\r\nabc\n", "The Production value starts with a line break, ends with a line break.")]
    [InlineData("abc\u2028", "The Production value ends with a line break.")]
    [InlineData("\u00A0abc", "The Production value starts with an unusual space (U+00A0).")]
    [InlineData("ab\u200Dc", "The Production value holds an invisible character: a zero-width joiner (U+200D) at character 3.")]
    [InlineData("a\u200Eb\u2066c\u00ADd\u0000", "The Production value holds 4 invisible characters: a bidirectional mark (U+200E) at character 2; a bidirectional isolate (U+2066) at character 4; a soft hyphen (U+00AD) at character 6 and 1 more.")]
    [InlineData("🔑\U000E0041", "The Production value holds an invisible character: a tag character (U+E0041) at character 2.")]
    [InlineData("x\u3000y", "The Production value holds an invisible character: an unusual space (U+3000) at character 2.")]
    public void ValueWarning_NamesTheProblemAndWhereWithoutTheValue(string value, string expected) =>
        Assert.Equal(expected + " Fix it, or tick \"Save anyway\" to store it as it is.", SecretRules.ValueWarning(SecretEnvironment.Production, value));

    [Theory]
    [InlineData("sk_live_abcdef")]
    [InlineData("-----BEGIN KEY-----\nabc\r\ndef\n-----END KEY-----")]
    [InlineData("col1\tcol2")]
    [InlineData("пароль-🔑-café")]
    [InlineData("a b c")]
    [InlineData("")]
    public void ValueWarning_OrdinaryValues_HaveNone(string value) => Assert.Null(SecretRules.ValueWarning(SecretEnvironment.Staging, value));
}
