namespace Ziggy.Secrets.Tests.Support;

public sealed class TotpTests
{
    // RFC 6238, appendix B: the SHA-1 key "12345678901234567890" at T = 59 s gives 94287082 (8 digits).
    [Fact]
    public void CodeAt_RfcTestVector_MatchesItsLastSixDigits() =>
        Assert.Equal("287082", Totp.CodeAt("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", DateTimeOffset.FromUnixTimeSeconds(59)));
}
