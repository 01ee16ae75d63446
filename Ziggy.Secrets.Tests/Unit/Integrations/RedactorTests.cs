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
}
