using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Unit.Secrets;

public sealed class SecretMaskTests
{
    [Theory]
    [InlineData("", "***")]
    [InlineData("a", "***")]
    [InlineData("1234567", "***")]               // 7: below 8 shows nothing
    [InlineData("12345678", "12***8")]           // 8: first 8/4 = 2, last 8/8 = 1
    [InlineData("abcdefghijklmnop", "abcd***op")] // 16: first 4, last 2
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", "abcdefgh***2345")] // 32: first 8, last 4
    public void For_Boundaries_FollowTheRule(string value, string expected) => Assert.Equal(expected, SecretMask.For(value));

    [Fact]
    public void For_107CharacterStripeKey_IsSkLiveRgA1()
    {
        var key = "sk_live_" + new string('Z', 95) + "RgA1";
        Assert.Equal(107, key.Length);
        Assert.Equal("sk_live_***RgA1", SecretMask.For(key));
    }

    [Fact]
    public void For_LongValues_NeverRevealMoreThanEightPlusFour()
    {
        foreach (var length in new[] { 33, 100, 1000, 65536 })
        {
            var mask = SecretMask.For(new string('k', length));
            Assert.Equal("kkkkkkkk***kkkk", mask);
        }
    }

    [Fact]
    public void For_MultiByteText_CountsCharactersNotBytes()
    {
        // 8 Cyrillic letters (16 UTF-8 bytes): 2 first, 1 last.
        Assert.Equal("па***ь", SecretMask.For("парольпь"[..7] + "ь"));
        // 7 letters only: hidden entirely, whatever the byte count.
        Assert.Equal("***", SecretMask.For("пароль!"));
    }

    [Fact]
    public void For_Emoji_NeverSplitsACharacter()
    {
        var value = "🔑🔑🔑🔑🔑🔑🔑🔐"; // 8 emoji, 16 UTF-16 code units
        Assert.Equal("🔑🔑***🔐", SecretMask.For(value));
    }

    [Fact]
    public void For_SameLengthPrefixAndSuffix_DoesNotDependOnLengthBeyond32()
    {
        Assert.Equal(SecretMask.For("sk_live_" + new string('a', 40) + "RgA1"), SecretMask.For("sk_live_" + new string('b', 400) + "RgA1"));
    }
}
