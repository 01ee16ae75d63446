using Ziggy.Secrets.Tests.Support;
using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ziggy.Secrets.Web.Integrations;

namespace Ziggy.Secrets.Tests.Unit.Integrations;

public sealed class RedactorTests
{
    // Spaces, slashes, '+', '&', both quotes, angle brackets, a non-ASCII letter and an emoji: every encoder changes it.
    private const string Value = "sk live/é+&\"'<x>🔑 9xQRgA1";
    private const string Mask = "sk***gA1";

    private static readonly Redactor OneValue = new([(Value, Mask)]);

    public static TheoryData<string> Forms => new()
    {
        "raw", "uri", "form-lower", "form", "json", "json-relaxed", "html", "base64", "base64-trimmed", "base64url", "base64url-padded",
    };

    private static string Encode(string form, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return form switch
        {
            "raw" => value,
            "uri" => Uri.EscapeDataString(value),
            "form-lower" => System.Web.HttpUtility.UrlEncode(value),
            "form" => WebUtility.UrlEncode(value),
            "json" => JsonSerializer.Serialize(value)[1..^1],
            "json-relaxed" => JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })[1..^1],
            "html" => WebUtility.HtmlEncode(value),
            "base64" => Convert.ToBase64String(bytes),
            "base64-trimmed" => Convert.ToBase64String(bytes).TrimEnd('='),
            "base64url" => Base64Url.EncodeToString(bytes),
            "base64url-padded" => Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_'),
            _ => throw new ArgumentOutOfRangeException(nameof(form)),
        };
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Redact_EachForm_ReplacedByMask(string form)
    {
        var encoded = Encode(form, Value);
        if (form != "raw") Assert.NotEqual(Value, encoded);

        Assert.Equal($"before {Mask} after", OneValue.Redact($"before {encoded} after"));
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Reveals_EachForm_TrueBeforeAndFalseAfter(string form)
    {
        var text = $"{{\"token\":\"{Encode(form, Value)}\"}}";

        Assert.True(OneValue.Reveals(text));
        Assert.False(OneValue.Reveals(OneValue.Redact(text)));
    }

    [Fact]
    public void Redact_JsonDocument_ReplacesStringContent()
    {
        var json = JsonSerializer.Serialize(new { token = Value, other = "kept" });

        Assert.Equal($"{{\"token\":\"{Mask}\",\"other\":\"kept\"}}", OneValue.Redact(json));
    }

    [Theory]
    [InlineData("user:", "")]
    [InlineData("u:", "")]
    [InlineData("", ":")]
    [InlineData("", "|")]
    [InlineData("a", "bc")]
    public void Redact_ValueInsideLongerBase64_MasksAllButEdgeCharacters(string before, string after)
    {
        const string key = "sk_live_51HqLyjWDarjtT1zdp7dcXYZabc";
        var redactor = new Redactor([(key, "sk_live_***Zabc")]);
        var header = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(before + key + after));

        var redacted = redactor.Redact(header)!;

        Assert.Contains("sk_live_***Zabc", redacted);
        Assert.False(redactor.Reveals(redacted));
        // What is left around the mask encodes the neighbours and at most two bytes of each end of the key.
        Assert.True(redacted.Replace("sk_live_***Zabc", "").Length <= "Basic ".Length + 16, redacted);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Redact_OneValueContainsAnother_EachReplacedWhole(bool innerFirst)
    {
        const string inner = "inner-secret-1234";
        const string outer = "prefix-inner-secret-1234-suffix";
        (string, string)[] values = [(outer, "OUTER***"), (inner, "INNER***")];
        var redactor = new Redactor(innerFirst ? Enumerable.Reverse(values) : values);

        Assert.Equal("a=OUTER*** b=INNER*** c=OUTER***", redactor.Redact($"a={outer} b={inner} c={Uri.EscapeDataString(outer)}"));
    }

    [Fact]
    public void Redact_ValueManyTimes_EveryOccurrenceReplaced()
    {
        var text = string.Concat(Enumerable.Repeat($"{Value}|{Uri.EscapeDataString(Value)}|", 500));

        var redacted = OneValue.Redact(text)!;

        Assert.Equal(string.Concat(Enumerable.Repeat($"{Mask}|{Mask}|", 500)), redacted);
    }

    [Fact]
    public void Redact_TextWithoutValue_Unchanged()
    {
        const string text = "{\"status\":\"ok\",\"id\":\"ch_3PqRsT\"} sk live 9xQ";

        Assert.Equal(text, OneValue.Redact(text));
        Assert.False(OneValue.Reveals(text));
    }

    [Fact]
    public void Redact_Null_IsNull()
    {
        Assert.Null(OneValue.Redact(null));
        Assert.False(OneValue.Reveals(null));
    }

    [Fact]
    public void Redact_EmptyValue_Ignored()
    {
        var redactor = new Redactor([("", "***"), ("token-abcdefgh", "tok***h")]);

        Assert.Equal("plain text, tok***h", redactor.Redact("plain text, token-abcdefgh"));
    }

    [Fact]
    public void Redact_NoValues_ReturnsTextUnchanged()
    {
        var redactor = new Redactor([]);

        Assert.Equal("anything", redactor.Redact("anything"));
        Assert.False(redactor.Reveals("anything"));
    }

    [Fact]
    public void Redact_InvisibleCharactersAndEscapesOutsideValue_KeptAsWritten()
    {
        // The response is shown as the target sent it: only the value's own characters are replaced, not a normalised copy.
        var text = "zero\u200Bwidth s\u00ADoft \\u0041 &amp; %41 Cafe\u0301 " + Value + " \uFEFFend";

        Assert.Equal("zero\u200Bwidth s\u00ADoft \\u0041 &amp; %41 Cafe\u0301 " + Mask + " \uFEFFend", OneValue.Redact(text));
    }

    [Fact]
    public void Redact_ValueWithInvisibleCharactersInside_WholeSpanReplaced()
    {
        var spelled = string.Join("\u200D", SecretEncodings.TextElements(Value));

        Assert.Equal($"a {Mask} b", OneValue.Redact($"a {spelled} b"));
    }

    [Theory]
    [InlineData("tok\\\\u0065n-abcd\\\\u0065fgh")] // JSON of the JSON escape of each "e"
    [InlineData("tok&amp;#101;n-abcd&amp;#x65;fgh")] // HTML of the HTML reference of each "e"
    [InlineData("tok%2565n-abcd%2565fgh")] // percent-encoding of the percent-encoding of each "e"
    [InlineData("tok&#92;u0065n-abcd&#x5C;u0065fgh")] // HTML of the JSON escape
    [InlineData("tok%26%23101%3Bn-abcd%26%23101%3Bfgh")] // percent-encoding of the HTML reference
    public void Redact_ValueEscapedTwice_Masked(string spelled)
    {
        var redactor = new Redactor([("token-abcdefgh", "tok***h")]);

        Assert.Equal("x tok***h y", redactor.Redact($"x {spelled} y"));
    }

    [Fact]
    public void Redact_PlusForSpaceAndLiteralPlusInOneValue_Masked()
    {
        // Form encoding writes a space as '+'; an encoder may leave the value's own '+' as it is: both read as one.
        var redactor = new Redactor([("a+b c%d e+f", "a+***f")]);

        Assert.Equal("x a+***f y", redactor.Redact("x a+b+c%25d+e%2Bf y"));
    }

    [Fact]
    public void Redact_ShortValue_MaskedWhereverAnyFormOccurs()
    {
        // Decision: a value under 4 characters cannot be told apart from ordinary text; it is masked everywhere anyway,
        // its encodings included, and the response shows many masks.
        var redactor = new Redactor([("a7", "***")]);

        Assert.Equal("***/***/***/***/***", redactor.Redact("a7/A7/6137/YTc/7a"));
    }

    [Fact]
    public void Redact_OneMebibyteBody_RedactsEveryOccurrence()
    {
        // A run redacts a body of up to 1 MiB with a handful of values: the cost grows with the length, not with its square.
        (string, string)[] values =
        [
            ("sk_live_51HqLyjWDarjtT1zdp7dcXYZabc", "sk_live_***Zabc"), ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "ghp_16C7***B4a"),
            ("correct horse battery staple", "correct ***e"), (Value, Mask), ("Pa$$w0rd!é", "Pa***é"),
        ];
        var redactor = new Redactor(values);
        var filler = "{\"id\":\"ch_3PqRsT\",\"amount\":1000,\"note\":\"caf\u00e9 &amp; %20 \\/ r\u00e9sum\u00e9\"},\n";
        var body = new StringBuilder();
        while (body.Length < 1024 * 1024) body.Append(filler).Append(Uri.EscapeDataString(Value)).Append(filler).Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(values[0].Item1)));

        var redacted = redactor.Redact(body.ToString())!;

        Assert.False(redactor.Reveals(redacted));
        Assert.Contains(filler + Mask + filler + "sk_live_***Zabc", redacted);
    }

    private static readonly Redactor RealisticValues = new([
        ("sk_live_51HqLyjWDarjtT1zdp7dcXYZabc", "sk_live_***Zabc"), ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "ghp_16C7***B4a"),
        ("correct horse battery staple", "correct ***e"), ("Tr0ub4dor&3", "Tr***3"), (Value, Mask),
    ]);

    [Theory]
    [InlineData("{\"data\":[{\"id\":\"ch_3PqRsT2eZvKYlo2C\",\"url\":\"https:\\/\\/api.example.com\\/v1\\/charges?limit=10&starting_after=ch_1\",\"description\":\"Caf\\u00e9 cr\\u00e8me & co \\u2014 50% off\",\"livemode\":false}],\"has_more\":true}")]
    [InlineData("<p class=\"note\">Prices &amp; terms: see <a href=\"/terms?lang=fr&amp;v=2\">conditions g&eacute;n&eacute;rales</a> &#8212; 10&nbsp;%</p>")]
    [InlineData("Tr0ub4dor is a famous example; correct-horse-battery-stable is not the phrase; sk_test_51HqLyjWDarjtT1zdp7dcXYZabd differs by one letter.")]
    public void Redact_OrdinaryDocuments_Unchanged(string text)
    {
        Assert.False(RealisticValues.Reveals(text));
        Assert.Equal(text, RealisticValues.Redact(text));
    }

    [Fact]
    public void RedactHeaders_OrdinaryHeaders_Unchanged()
    {
        const string headers = "Content-Type: application/json; charset=utf-8\nETag: W/\"5f3a9c0e1b\"\nDate: Mon, 16 Jun 2025 10:00:00 GMT\n" +
            "Set-Cookie: __cf_bm=Qx9aZ0r.kLmN-1718000000-1.0.1.1-abcdEFGHijkl; path=/; HttpOnly, theme=dark; Path=/\n" +
            "Location: https://example.com/callback?state=xyz%2F123&code=abc+def\nX-Request-Id: 7f1c2e9a-33b4-4d5e-9f60-1a2b3c4d5e6f";

        Assert.False(RealisticValues.RevealsInHeaders(headers));
        Assert.Equal(headers, RealisticValues.RedactHeaders(headers));
    }
}
