using Ziggy.Secrets.Web.Integrations;

namespace Ziggy.Secrets.Tests.Unit.Integrations;

/// <summary>The rules <see cref="Redactor.RedactHeaders(string?)"/> adds for values spread over several headers.</summary>
public sealed class RedactorHeaderTests
{
    private const string Key = "sk_live_51HqLyjWDarjtT1zdp7dcXYZabc";
    private const string Mask = "sk_live_***Zabc";
    private static readonly Redactor StripeKey = new([(Key, Mask)]);

    [Fact]
    public void RedactHeaders_ValueCutAtItsSpacesAcrossHeaders_EveryPieceMasked()
    {
        // A header value loses the spaces around it: the pieces still spell the value once spaces are left out.
        var redactor = new Redactor([("correct horse battery staple", "correct ***e")]);

        var redacted = redactor.RedactHeaders("X-A: correct\nX-B: horse \nX-C: battery\nX-D: staple\nX-E: kept");

        Assert.Equal("X-A: correct ***e\nX-B: correct ***e\nX-C: correct ***e\nX-D: correct ***e\nX-E: kept", redacted);
    }

    [Fact]
    public void RedactHeaders_PieceBetweenOtherHeaders_HeaderMasked()
    {
        // Not next to each other, and the other piece is spelled differently: each piece is long enough on its own.
        var redacted = StripeKey.RedactHeaders($"X-A: {Key[..18]}\nDate: Mon, 16 Jun 2025 10:00:00 GMT\nX-B: {Convert.ToHexString("DarjtT1zdp7dcXYZabc"u8)}");

        Assert.Equal($"X-A: {Mask}\nDate: Mon, 16 Jun 2025 10:00:00 GMT\nX-B: {Mask}", redacted);
    }

    [Fact]
    public void RedactHeaders_HeaderNameHoldsPiece_NameMaskedToo()
    {
        var redacted = StripeKey.RedactHeaders("X-51HqLyjWDarjt: 1\nContent-Length: 0");

        Assert.Equal($"{Mask}: {Mask}\nContent-Length: 0", redacted);
    }

    [Fact]
    public void RedactHeaders_PieceInsideMaskedForm_RestOfHeaderKept()
    {
        // The whole value is masked where it stands; the pieces it is made of are no reason to hide the cookie's attributes.
        var redacted = StripeKey.RedactHeaders($"Set-Cookie: key={Key}; Path=/; HttpOnly");

        Assert.Equal($"Set-Cookie: key={Mask}; Path=/; HttpOnly", redacted);
    }

    [Fact]
    public void RedactHeaders_MaskAlreadyShown_Unchanged()
    {
        // The mask shows the value's first 8 characters: a header holding them is not a leak.
        var headers = $"X-Key: {Mask}\nX-Prefix: sk_live_";

        Assert.False(StripeKey.RevealsInHeaders(headers));
        Assert.Equal(headers, StripeKey.RedactHeaders(headers));
    }

    [Fact]
    public void RedactHeaders_ShortPieceInOtherHeader_Kept()
    {
        // Decision: a piece shorter than the header rule's length, alone, is left; the mask shows as much.
        var headers = "X-A: 51HqLy\nX-B: Zabc";

        Assert.Equal(headers, StripeKey.RedactHeaders(headers));
    }

    [Fact]
    public void RedactHeaders_LineWithoutColon_RedactedAsText()
    {
        Assert.Equal($"HTTP/1.1 200 OK\n{Mask}", StripeKey.RedactHeaders($"HTTP/1.1 200 OK\n{Key}"));
    }

    [Fact]
    public void RedactHeaders_Null_IsNull()
    {
        Assert.Null(StripeKey.RedactHeaders((string?)null));
        Assert.False(StripeKey.RevealsInHeaders(null));
    }

    [Fact]
    public void RedactHeaders_NoValues_Unchanged()
    {
        var redactor = new Redactor([]);

        Assert.Equal("A: b\nC: d", redactor.RedactHeaders("A: b\nC: d"));
        Assert.Empty(redactor.RedactHeaders([]));
    }
}
