using Ziggy.Secrets.Tests.Support;
using Ziggy.Secrets.Web.Integrations;

namespace Ziggy.Secrets.Tests.Unit.Integrations;

/// <summary>
/// Issue 17: a target that echoes a value back in any of the forms a hostile member tried, in the body and in a
/// header, never shows it. Each canary value has characters that every encoder changes.
/// </summary>
public sealed class RedactorFormTests
{
    public static readonly (string Value, string Mask)[] Canaries =
    [
        ("sk_live_Ab/c'd é+f 42", "sk_live_***42"),
        ("sk live/é+&\"'<x>🔑 9xQRgA1", "sk***gA1"),
        // Text that itself looks like escapes: the redactor must not decode the value away.
        ("Pa$$w0rd%41&amp;\\u0041 ß ı 中!", "Pa***!"),
        ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "ghp_16C7***B4a"),
    ];

    private const string OtherHeaders = "Content-Type: application/json; charset=utf-8\nDate: Mon, 16 Jun 2025 10:00:00 GMT";

    public static TheoryData<int, string> FixedForms() => Cross(SecretEncodings.Fixed.Keys);

    public static TheoryData<int, string> EmbeddedForms() => Cross(SecretEncodings.Embedded.Keys);

    public static TheoryData<int> CanaryIndexes() => new(Enumerable.Range(0, Canaries.Length));

    private static TheoryData<int, string> Cross(IEnumerable<string> forms)
    {
        var data = new TheoryData<int, string>();
        foreach (var form in forms)
            for (var canary = 0; canary < Canaries.Length; canary++) data.Add(canary, form);
        return data;
    }

    private static Redactor RedactorFor(int canary) => new([Canaries[canary]]);

    [Theory]
    [MemberData(nameof(FixedForms))]
    public void Redact_FixedFormInBody_ReplacedExactlyByMask(int canary, string form)
    {
        var (value, mask) = Canaries[canary];
        var redactor = RedactorFor(canary);
        var text = $"{{\"echo\": \"x\"}} before {SecretEncodings.Fixed[form](value)} after";

        Assert.True(redactor.Reveals(text));
        var redacted = redactor.Redact(text);

        Assert.Equal($"{{\"echo\": \"x\"}} before {mask} after", redacted);
        Assert.False(redactor.Reveals(redacted));
    }

    [Theory]
    [MemberData(nameof(EmbeddedForms))]
    public void Redact_EmbeddedFormInBody_NoLongerReveals(int canary, string form)
    {
        var (value, mask) = Canaries[canary];
        var redactor = RedactorFor(canary);
        var encoded = SecretEncodings.Embedded[form](value);
        var text = $"before {encoded} after";

        Assert.True(redactor.Reveals(text));
        var redacted = redactor.Redact(text)!;

        Assert.False(redactor.Reveals(redacted));
        Assert.DoesNotContain(encoded, redacted);
        Assert.Contains(mask, redacted);
        Assert.StartsWith("before ", redacted);
        Assert.EndsWith(" after", redacted);
    }

    [Theory]
    [MemberData(nameof(FixedForms))]
    public void RedactHeaders_FixedFormInHeader_HeaderValueIsTheMask(int canary, string form)
    {
        var (value, mask) = Canaries[canary];
        var redactor = RedactorFor(canary);
        var headers = $"{OtherHeaders}\nX-Echo: {SecretEncodings.Fixed[form](value)}\nX-Request-Id: 9f1c2e";

        Assert.True(redactor.RevealsInHeaders(headers));
        var redacted = redactor.RedactHeaders(headers);

        Assert.Equal($"{OtherHeaders}\nX-Echo: {mask}\nX-Request-Id: 9f1c2e", redacted);
        Assert.False(redactor.RevealsInHeaders(redacted));
    }

    [Theory]
    [MemberData(nameof(EmbeddedForms))]
    public void RedactHeaders_EmbeddedFormInHeader_NoLongerReveals(int canary, string form)
    {
        var (value, mask) = Canaries[canary];
        var redactor = RedactorFor(canary);
        var encoded = SecretEncodings.Embedded[form](value);

        var redacted = redactor.RedactHeaders($"{OtherHeaders}\nAuthorization: {encoded}")!;

        Assert.False(redactor.RevealsInHeaders(redacted));
        Assert.DoesNotContain(encoded, redacted);
        Assert.Contains(mask, redacted);
        Assert.StartsWith(OtherHeaders + "\nAuthorization: ", redacted);
    }

    [Theory]
    [MemberData(nameof(CanaryIndexes))]
    public void RedactHeaders_SetCookie_ValueMaskedAttributesKept(int canary)
    {
        var (value, mask) = Canaries[canary];
        var redactor = RedactorFor(canary);
        var headers = $"Set-Cookie: theme=dark; Path=/, token={Uri.EscapeDataString(value)}; Path=/; Secure; HttpOnly\nSet-Cookie: raw={value}; Path=/";

        var redacted = redactor.RedactHeaders(headers);

        Assert.Equal($"Set-Cookie: theme=dark; Path=/, token={mask}; Path=/; Secure; HttpOnly\nSet-Cookie: raw={mask}; Path=/", redacted);
    }

    [Theory]
    [MemberData(nameof(CanaryIndexes))]
    public void RedactHeaders_Location_ValueMaskedUrlKept(int canary)
    {
        var (value, mask) = Canaries[canary];
        var redactor = RedactorFor(canary);
        var slashKept = SecretEncodings.Fixed["percent-slash-kept"](value);
        var apostropheKept = SecretEncodings.Fixed["percent-apostrophe-kept"](value);

        var redacted = redactor.RedactHeaders($"Location: https://evil.test/cb/{slashKept}?k={apostropheKept}&state=1");

        Assert.Equal($"Location: https://evil.test/cb/{mask}?k={mask}&state=1", redacted);
    }

    [Theory]
    [MemberData(nameof(CanaryIndexes))]
    public void RedactHeaders_HalvesInTwoHeaders_BothHeadersMasked(int canary)
    {
        var (value, mask) = Canaries[canary];
        var redactor = RedactorFor(canary);
        var half = value.Length / 2;
        if (char.IsLowSurrogate(value[half])) half++;

        var redacted = redactor.RedactHeaders($"{OtherHeaders}\nX-A: {value[..half]}\nX-B: {value[half..]}\nX-C: kept");

        Assert.Equal($"{OtherHeaders}\nX-A: {mask}\nX-B: {mask}\nX-C: kept", redacted);
        Assert.False(redactor.RevealsInHeaders(redacted));
    }

    [Theory]
    [MemberData(nameof(CanaryIndexes))]
    public void RedactHeaders_HalvesInReverseOrder_BothHeadersMasked(int canary)
    {
        var (value, mask) = Canaries[canary];
        var redactor = RedactorFor(canary);
        var half = value.Length / 2;
        if (char.IsLowSurrogate(value[half])) half++;

        // Not one text in any order: each header holds a piece of at least min(8, half the value) characters.
        var redacted = redactor.RedactHeaders($"X-B: {value[half..]}\n{OtherHeaders}\nX-A: {value[..half]}");

        Assert.Equal($"X-B: {mask}\n{OtherHeaders}\nX-A: {mask}", redacted);
    }

    [Theory]
    [MemberData(nameof(CanaryIndexes))]
    public void RedactHeaders_RepeatedHeaderJoinedWithComma_HeaderMasked(int canary)
    {
        var (value, mask) = Canaries[canary];
        var redactor = RedactorFor(canary);
        var hex = SecretEncodings.Fixed["hex-lower"](value);

        var redacted = redactor.RedactHeaders($"X-Part: {hex[..7]}, {hex[7..20]}, {hex[20..]}\n{OtherHeaders}");

        Assert.Equal($"X-Part: {mask}\n{OtherHeaders}", redacted);
    }

    [Theory]
    [MemberData(nameof(CanaryIndexes))]
    public void RedactHeaders_RepeatedHeaderOnSeparateLines_EveryLineMasked(int canary)
    {
        var (value, mask) = Canaries[canary];
        var redactor = RedactorFor(canary);
        var encoded = Uri.EscapeDataString(value);
        int a = encoded.Length / 3, b = 2 * encoded.Length / 3;

        var redacted = redactor.RedactHeaders($"X-Part: {encoded[..a]}\nX-Part: {encoded[a..b]}\nX-Part: {encoded[b..]}");

        Assert.Equal($"X-Part: {mask}\nX-Part: {mask}\nX-Part: {mask}", redacted);
    }

    [Theory]
    [MemberData(nameof(CanaryIndexes))]
    public void RedactHeaders_PairsWithRepeatedNames_SameRulesAsBlock(int canary)
    {
        var (value, mask) = Canaries[canary];
        var redactor = RedactorFor(canary);
        var base64 = SecretEncodings.Fixed["base64"](value);

        var redacted = redactor.RedactHeaders([("Date", "Mon, 16 Jun 2025 10:00:00 GMT"), ("X-Part", base64[..5]), ("X-Part", base64[5..]), ("X-Echo", $"v={value}!")]);

        Assert.Equal([("Date", "Mon, 16 Jun 2025 10:00:00 GMT"), ("X-Part", mask), ("X-Part", mask), ("X-Echo", $"v={mask}!")], redacted);
    }
}
