using Ziggy.Secrets.Web.Tokens;

namespace Ziggy.Secrets.Tests.Unit.Tokens;

public sealed class AccessTokenFormatTests
{
    [Fact]
    public void New_Is47CharactersOfPrefixAndBase64Url_AndWellFormed()
    {
        var tokens = Enumerable.Range(0, 200).Select(_ => AccessTokenFormat.New()).ToList();

        Assert.All(tokens, t =>
        {
            Assert.Matches("^zgs_[A-Za-z0-9_-]{43}$", t.Token);
            Assert.True(AccessTokenFormat.IsWellFormed(t.Token));
            Assert.Equal(AccessTokenFormat.HashOf(t.Token), t.Hash);
        });
        Assert.Equal(tokens.Count, tokens.Select(t => t.Token).Distinct().Count());
    }

    [Fact]
    public void IsWellFormed_EveryOtherSpelling_IsRefusedWithoutThrowing()
    {
        var token = AccessTokenFormat.New().Token;
        var lastIndex = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".IndexOf(token[^1]);
        // Every last character with unused bits set is a second spelling of some token.
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        foreach (var c in alphabet.Where((_, i) => (i & 0b11) != 0)) Assert.False(AccessTokenFormat.IsWellFormed(token[..^1] + c));
        Assert.Equal(0, lastIndex & 0b11);

        foreach (var bad in new[] { null, "", "zgs_", token + "A", token[..^1], "ZGS_" + token[4..], "zgs-" + token[4..], token[..^1] + "=",
                     token[..10] + "+" + token[11..], token[..10] + "/" + token[11..], token[..10] + "é" + token[11..], token[..10] + " " + token[11..] })
            Assert.False(AccessTokenFormat.IsWellFormed(bad));
    }
}
